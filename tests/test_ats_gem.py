"""Gem boards: the Job Board API's job_posts served on 127.0.0.1 from fixtures in its real shape,
crawled by the real `jobatlas crawl`; the API URL of each URL form; the mapper on odd posts."""

from __future__ import annotations

import pytest
from conftest import ats_fixture, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.gem import GemSpider, listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD = "https://jobs.gem.com/tessellate"
API = "/job_board/v0/tessellate/job_posts/"
ID = {1: "am9icG9zdDoxMDAx", 2: "am9icG9zdDoxMDAy", 3: "am9icG9zdDoxMDAz"}.__getitem__


def spider() -> GemSpider:
    return GemSpider(source=Source(name="tessellate", url=BOARD))


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({f"GET {API}": (200, ats_fixture("gem", "job_posts.json"))}) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "tessellate", "url": BOARD, "endpoint": f"{origin}{API}"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"] == [API]

    rows = stored_postings(db)
    assert set(rows) == {f"{ID(1)}:en", f"{ID(2)}:de", f"{ID(3)}:fr"}
    assert {row["ats"] for row in rows.values()} == {"gem"}

    ml = rows[f"{ID(1)}:en"]
    assert (ml["title"], ml["url"], ml["department"]) == ("Staff Machine Learning Engineer", f"{BOARD}/{ID(1)}", "Engineering")
    assert (ml["employment_type"], ml["workplace"], ml["date_posted"]) == ("FULL_TIME", "hybrid", "2025-05-15T14:20:00+00:00")
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in ml["locations"]] == [
        ("New York", "US", 0), ("Toronto", "CA", 0),
    ]
    assert ml["description"].startswith("Tessellate builds forecasting software") and "<" not in ml["description"]
    assert ml["salary_min"] is None

    account = rows[f"{ID(2)}:de"]  # no offices: the post's one location
    assert account["workplace"] == "remote"
    assert [(loc["country_code"], loc["remote"]) for loc in account["locations"]] == [("DE", 1)]

    intern = rows[f"{ID(3)}:fr"]
    assert (intern["employment_type"], intern["workplace"]) == ("INTERN", "onsite")
    assert [(loc["city"], loc["country_code"]) for loc in intern["locations"]] == [("Paris", "FR")]

    run = last_run(db, "tessellate")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /job_board/v0/empty/job_posts/": (200, []),
        "GET /job_board/v0/garbled/job_posts/": (200, "[{\"id\": \"x\", \"title\": ", {"Content-Type": "application/json"}),
        "GET /job_board/v0/shapeless/job_posts/": (200, {"error": "unknown board"}),
        "GET /job_board/v0/odd/job_posts/": (200, [{"title": "no id"}, {"id": 991, "title": ["List"], "location": 5, "offices": "x"}]),
    }
    names = ["missing", "empty", "garbled", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"gem-{name}", "url": f"https://jobs.gem.com/{name}", "endpoint": f"{origin}/job_board/v0/{name}/job_posts/"}
                   for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"gem-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),
    }
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["source"], odd["external_id"], odd["title"], odd["url"]) == ("gem-odd", "991", "List", "https://jobs.gem.com/odd/991")


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD, f"https://api.gem.com{API}"),
        (f"{BOARD}/", f"https://api.gem.com{API}"),
        (f"{BOARD}/{ID(1)}", f"https://api.gem.com{API}"),
        ("https://jobs.gem.com/", None),
        ("https://tessellate.example/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


@pytest.mark.parametrize(
    "job",
    [
        {},
        {"id": "a", "offices": [{"location": "Leeds"}, 3, {"name": None}], "departments": "x"},
        {"id": 7, "location": {"name": ["Oslo"]}, "content": {"a": 1}, "departments": [{"name": 5}], "location_type": []},
    ],
)
def test_mapper_on_odd_posts_never_raises(job):
    posting = spider().job_posting(job)
    assert posting is None if "id" not in job else posting.key == str(job["id"])


def test_mapper_on_one_post():
    posting = spider().job_posting(ats_fixture("gem", "job_posts.json")[0])
    assert (posting.workplace_raw, posting.employment_type_raw, posting.department) == ("hybrid", "full_time", "Engineering")
    assert [(loc.raw, loc.remote) for loc in posting.locations] == [("New York, NY", False), ("Toronto, ON, Canada", False)]
    assert posting.salary_raw is None and posting.stated_language is None
