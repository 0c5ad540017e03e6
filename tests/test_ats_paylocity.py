"""Paylocity boards: the board page with its embedded job list and each job's page, served on
127.0.0.1 in their real shape and crawled by the real `jobatlas crawl`; the URL forms."""

from __future__ import annotations

import pytest
from conftest import SITES, crawl_into, last_run, stored_postings

from crawler.spiders.paylocity import listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
FIXTURES = SITES / "ats" / "paylocity"
GUID = "0a932b3f-65a0-4207-b5be-70d84a78ecaa"
BOARD = f"https://recruiting.paylocity.com/Recruiting/Jobs/All/{GUID}/Wasatch-Polymer"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(name: str) -> tuple:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), HTML


JOB_ROUTES = {f"GET /Recruiting/Jobs/Details/{job_id}": page(f"job-{job_id}.html") for job_id in (1184210, 1184233, 1184240)}


def test_board_is_crawled_job_by_job(api_server, tmp_path):
    with api_server({f"GET /Recruiting/Jobs/All/{GUID}": page("board.html"), **JOB_ROUTES}) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "wasatch", "url": BOARD, "endpoint": f"{origin}/Recruiting/Jobs/All/{GUID}"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert "/Recruiting/Jobs/Details/1184251" not in [r.path for r in requests]  # internal candidates only

    rows = stored_postings(db)
    assert set(rows) == {"1184210:en", "1184233:en", "1184240:es"}
    technician = rows["1184210:en"]
    assert (technician["title"], technician["url"], technician["department"], technician["date_posted"]) == (
        "Maintenance Technician - 2nd Shift", "https://recruiting.paylocity.com/Recruiting/Jobs/Details/1184210", "Operations", "2025-05-13T09:12:44",
    )
    assert technician["apply_url"] == "https://recruiting.paylocity.com/Recruiting/Jobs/Apply/1184210"
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in technician["locations"]] == [("Layton", "UT", "US")]
    assert "preventive maintenance" in technician["description"] and "Powered by" not in technician["description"]
    assert "$26 - $32 per hour" in technician["description"]  # pay only as the employer wrote it in the text

    care = rows["1184233:en"]
    assert care["workplace"] == "remote" and [loc["remote"] for loc in care["locations"]] == [1]
    quality = rows["1184240:es"]
    assert (quality["workplace"], [loc["country_code"] for loc in quality["locations"]]) == ("hybrid", ["MX"])

    run = last_run(db, "wasatch")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    board = (FIXTURES / "board.html").read_text(encoding="utf-8")
    routes = {
        "GET /unknown/Recruiting/Jobs/All/x": (200, "<html><body><h1>Job Not Found</h1></body></html>", HTML),
        "GET /empty/Recruiting/Jobs/All/x": (200, board.split("window.pageData")[0] + 'window.pageData = {"Jobs": []};</script></body></html>', HTML),
        "GET /garbled/Recruiting/Jobs/All/x": (200, "<script>window.pageData = {\"Jobs\": [{\"JobId\": 1,</script>", HTML),
        "GET /closed/Recruiting/Jobs/All/x": (200, '<script>window.pageData = {"Jobs": [{"JobTitle": "no id"}, {"JobId": 77, "JobTitle": "Driver"}]};</script>', HTML),
        "GET /Recruiting/Jobs/Details/77": (200, "<html><body><h2>Job Not Found</h2><p>That job does not exist or is not currently active.</p></body></html>", HTML),
    }
    names = ["missing", "unknown", "empty", "garbled", "closed"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"pl-{name}", "url": f"https://recruiting.paylocity.com/Recruiting/Jobs/All/{name}",
                    "endpoint": f"{origin}/{name}/Recruiting/Jobs/All/x"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"pl-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "unknown": ("failed", {"bad_json": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "closed": ("partial", {"bad_posting": 2}),
    }
    assert f"{origin}/garbled/Recruiting/Jobs/All/x" in str(runs["garbled"]["problem_examples"])


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD, f"https://recruiting.paylocity.com/Recruiting/Jobs/All/{GUID}"),
        (f"https://recruiting.paylocity.com/recruiting/jobs/All/{GUID}", f"https://recruiting.paylocity.com/Recruiting/Jobs/All/{GUID}"),
        ("https://recruiting.paylocity.com/Recruiting/Jobs/List/4684", "https://recruiting.paylocity.com/Recruiting/Jobs/List/4684"),
        ("https://recruiting.paylocity.com/Recruiting/Jobs/Details/1184210", None),
        ("https://www.paylocity.com/careers/", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected
