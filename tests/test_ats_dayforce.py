"""Dayforce job boards: the NextAuth CSRF route and the job-posting search served on 127.0.0.1
in their real shapes, crawled by the real `jobatlas crawl`; the URL forms."""

from __future__ import annotations

import pytest
from conftest import ats_fixture, crawl_into, last_run, stored_postings

from crawler.spiders.dayforce import listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD = "https://jobs.dayforcehcm.com/en-US/harrowgate/CANDIDATEPORTAL"
SEARCH = "/api/geo/harrowgate/jobposting/search"
GUARD = (200, {"csrfToken": "9c1f0e7a"}, {"Set-Cookie": "__Host-next-auth.csrf-token=9c1f0e7a%7Cab12; Path=/; Secure; HttpOnly"})


def filler(number: int) -> dict:
    return {"jobPostingId": 50000 + number, "jobTitle": f"Service Fitter {number}", "jobDescription": "<p>Install sprinkler pipe on new builds.</p>",
            "postingLocations": [{"cityName": "Phoenix", "stateCode": "AZ", "isoCountryCode": "US"}]}


def test_board_is_crawled_page_by_page(api_server, tmp_path):
    real = ats_fixture("dayforce", "search.json")
    everything = real["jobPostings"] + [filler(number) for number in range(24)]

    def search(request):
        body = request.json()
        assert (body["clientNamespace"], body["jobBoardCode"], body["cultureCode"]) == ("harrowgate", "CANDIDATEPORTAL", "en-US")
        start = body["paginationStart"]
        return 200, {**real, "jobPostings": everything[start:start + 25], "maxCount": len(everything), "offset": start}

    with api_server({"GET /api/auth/csrf": GUARD, f"POST {SEARCH}": search}) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "harrowgate", "url": BOARD, "endpoint": f"{origin}{SEARCH}"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"] == ["/api/auth/csrf", SEARCH, SEARCH]
    assert [r.json()["paginationStart"] for r in requests if r.method == "POST"] == [0, 25]

    rows = stored_postings(db)
    assert len(rows) == 27
    technician = rows["44800:en"]
    assert (technician["title"], technician["url"], technician["date_posted"], technician["valid_through"]) == (
        "Fire Sprinkler Technician", "https://jobs.dayforcehcm.com/en-US/harrowgate/CANDIDATEPORTAL/jobs/44800",
        "2025-05-12T15:30:00+00:00", "2025-07-12T06:00:00+00:00",
    )
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in technician["locations"]][:1] == [("Salt Lake City", "UT", "US")]
    assert len(technician["locations"]) == 2 and "NICET Level II" in technician["description"]
    quebec = rows["44812:fr"]
    assert [(loc["city"], loc["country_code"]) for loc in quebec["locations"]] == [("Montréal", "CA")]
    remote = rows["44830:en"]
    assert (remote["workplace"], remote["locations"]) == ("remote", [])

    run = last_run(db, "harrowgate")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    empty = {"jobPostings": [], "maxCount": 0, "offset": 0, "count": 0}
    routes = {
        "GET /unguarded/api/auth/csrf": (200, {"providers": []}),
        **{f"GET /{name}/api/auth/csrf": GUARD for name in ("empty", "garbled", "refused", "odd")},
        "POST /empty/api/geo/empty/jobposting/search": (200, empty),
        "POST /garbled/api/geo/garbled/jobposting/search": (200, '{"jobPostings": [{"jobPostingId": 1,', {"Content-Type": "application/json"}),
        "POST /refused/api/geo/refused/jobposting/search": (403, {"message": "Forbidden"}),
        "POST /odd/api/geo/odd/jobposting/search": (200, {"jobPostings": [{"jobTitle": "no id"}, {"jobPostingId": 7, "jobTitle": ["Welder"], "postingLocations": "x"}]}),
    }
    names = ["missing", "unguarded", "empty", "garbled", "refused", "odd"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"df-{name}", "url": f"https://jobs.dayforcehcm.com/en-US/{name}/CANDIDATEPORTAL",
                    "endpoint": f"{origin}/{name}/api/geo/{name}/jobposting/search"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"df-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "unguarded": ("failed", {"bad_json": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "refused": ("failed", {"http_403": 1}),
        "odd": ("partial", {"bad_posting": 1}),
    }
    assert f"{origin}/garbled/api/geo/garbled/jobposting/search" in str(runs["garbled"]["problem_examples"])
    assert [row["title"] for row in stored_postings(db).values()] == ["Welder"]


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD, f"https://jobs.dayforcehcm.com{SEARCH}"),
        ("https://jobs.dayforcehcm.com/harrowgate/candidateportal/jobs/44800", f"https://jobs.dayforcehcm.com{SEARCH}"),
        ("https://jobs.dayforcehcm.com/fr-CA/harrowgate/CANDIDATEPORTAL", f"https://jobs.dayforcehcm.com{SEARCH}"),
        ("https://jobs.dayforcehcm.com/en-US/harrowgate", None),
        ("https://www.dayforce.com/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected
