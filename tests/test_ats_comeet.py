"""Comeet boards: the board page (company uid and token) and the Careers API served on 127.0.0.1
from fixtures in their real shapes, crawled by the real `jobatlas crawl`; the mapper on odd
position dicts."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.comeet import ComeetSpider, board_page_url, positions_url

FIXTURES = SITES / "ats" / "comeet"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD_URL = "https://www.comeet.com/jobs/quillmark/5A.00C"
HTML = {"Content-Type": "text/html; charset=utf-8"}
TOKEN = "9f2c41d07be3a5586e1f0c2d4b7a9e31"


def board_page() -> tuple:
    return (200, (FIXTURES / "board.html").read_text(encoding="utf-8"), HTML)


def spider() -> ComeetSpider:
    return ComeetSpider(source=Source(name="quillmark", url=BOARD_URL))


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    routes = {
        "GET /jobs/quillmark/5A.00C": board_page(),
        "GET /careers-api/2.0/company/5A.00C/positions": (200, ats_fixture("comeet", "positions.json")),
    }
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "quillmark", "url": BOARD_URL, "endpoint": f"{origin}/jobs/quillmark/5A.00C"}], *CRAWL_SETTINGS
        )
    assert result.returncode == 0, result.stderr
    assert [(r.path, r.query) for r in requests if r.path != "/robots.txt"] == [
        ("/jobs/quillmark/5A.00C", {}),
        ("/careers-api/2.0/company/5A.00C/positions", {"token": [TOKEN], "details": ["true"]}),
    ]

    rows = stored_postings(db)
    assert set(rows) == {"A1.B27:en", "A1.B28:fr", "A1.B29:de"}
    assert {(row["ats"], row["company"]) for row in rows.values()} == {("comeet", "Quillmark")}

    lead = rows["A1.B27:en"]
    assert (lead["title"], lead["url"], lead["apply_url"], lead["department"]) == (
        "Backend Team Lead",
        "https://quillmark.example/careers/?comeet_pos=A1.B27",
        "https://www.comeet.com/jobs/quillmark/5A.00C/backend-team-lead/A1.B27",
        "R&D",
    )
    assert (lead["employment_type"], lead["workplace"], lead["date_posted"], lead["salary_min"]) == (
        "FULL_TIME", "onsite", "2025-05-04T08:12:30+00:00", None,
    )
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in lead["locations"]] == [("Tel Aviv", "IL", 0)]
    assert lead["description"].startswith("Description\nQuillmark turns handwritten forms")
    assert "Requirements" in lead["description"]

    sales = rows["A1.B28:fr"]  # no page of its own on the company's site: Comeet's hosted page
    assert sales["url"] == "https://www.comeet.com/jobs/quillmark/5A.00C/ingenieur-commercial/A1.B28"
    assert [(loc["city"], loc["country_code"]) for loc in sales["locations"]] == [("Paris", "FR")]

    student = rows["A1.B29:de"]
    assert (student["workplace"], student["employment_type"]) == ("remote", "PART_TIME")
    assert [(loc["country_code"], loc["remote"]) for loc in student["locations"]] == [("DE", 1)]

    run = last_run(db, "quillmark")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("DE", 1)]


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    def page_of(uid: str) -> tuple:
        return (200, board_page()[1].replace("5A.00C", uid), HTML)

    routes = {
        "GET /jobs/empty/11.001": page_of("11.001"),
        "GET /careers-api/2.0/company/11.001/positions": (200, []),
        "GET /jobs/garbled/22.002": page_of("22.002"),
        "GET /careers-api/2.0/company/22.002/positions": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /jobs/tokenless/33.003": (200, "<html><body>Careers</body></html>", HTML),
        "GET /jobs/good/5A.00C": board_page(),
        "GET /careers-api/2.0/company/5A.00C/positions": (200, ats_fixture("comeet", "positions.json")[:1]),
    }
    boards = {"missing": "44.004", "empty": "11.001", "garbled": "22.002", "tokenless": "33.003", "good": "5A.00C"}
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"comeet-{name}", "url": f"https://www.comeet.com/jobs/{name}/{uid}", "endpoint": f"{origin}/jobs/{name}/{uid}"}
            for name, uid in boards.items()
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"comeet-{name}") for name in boards}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "tokenless": ("failed", {"bad_json": 1}),
        "good": ("complete", {}),
    }
    assert [row["title"] for row in stored_postings(db).values()] == ["Backend Team Lead"]


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://www.comeet.com/jobs/quillmark/5A.00C", BOARD_URL),
        ("https://www.comeet.com/jobs/quillmark/5A.00C/backend-team-lead/A1.B27", BOARD_URL),
        ("https://comeet.com/jobs/arpeely/57.001", "https://comeet.com/jobs/arpeely/57.001"),
        ("https://www.comeet.co/jobs/linx/99.00C", "https://www.comeet.co/jobs/linx/99.00C"),
        ("https://www.comeet.com/jobs/quillmark", None),
        ("https://www.comeet.com/", None),
        ("https://quillmark.example/careers", None),
    ],
)
def test_board_page_url_from_board_url(board_url, expected):
    assert board_page_url(board_url) == expected


def test_positions_url():
    assert positions_url("https://www.comeet.co", "57.001", "abc") == (
        "https://www.comeet.co/careers-api/2.0/company/57.001/positions?token=abc&details=true"
    )


@pytest.mark.parametrize(
    "job",
    [
        {"uid": 7},
        {"uid": "7", "name": ["x"], "location": "Tel Aviv", "details": "text", "company_name": None, "employment_type": 3},
        {"uid": "7", "location": {"city": None, "country": {"a": 1}, "is_remote": "yes"}, "details": [None, {"value": 5}]},
        {"uid": "7", "url_active_page": "", "url_comeet_hosted_page": None, "time_updated": 1745300000},
    ],
)
def test_mapper_on_odd_jobs_never_raises(job):
    posting = spider().job_posting(job)
    assert posting.key == "7" and posting.url == BOARD_URL


def test_mapper_on_one_job():
    posting = spider().job_posting(ats_fixture("comeet", "positions.json")[2])
    assert (posting.workplace_raw, posting.employment_type_raw, posting.stated_language) == ("remote", "Part-time", None)
    assert [(loc.raw, loc.city, loc.country, loc.remote) for loc in posting.locations] == [("Germany (Remote)", None, "DE", True)]
    assert posting.description_html.startswith("<h3>Beschreibung</h3><p>")
    assert spider().job_posting({"name": "no uid"}) is None
