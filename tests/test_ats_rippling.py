"""Rippling boards: the Job Board API's listing and each job's detail served on 127.0.0.1 from
fixtures in their real shapes, crawled by the real `jobatlas crawl`; the API URL of each URL
form; the mapper on odd jobs."""

from __future__ import annotations

import pytest
from conftest import ats_fixture, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.rippling import RipplingSpider, listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD = "https://ats.rippling.com/quillstack/jobs"
API = "/platform/api/ats/v1/board/quillstack/jobs"
U = "5d2e7a90-1c3b-4f6e-8a11-0c9e6b3f000{}".format


def spider() -> RipplingSpider:
    return RipplingSpider(source=Source(name="quillstack", url=BOARD))


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    routes = {f"GET {API}": (200, ats_fixture("rippling", "jobs.json"))}
    routes |= {f"GET {API}/{U(n)}": (200, ats_fixture("rippling", f"job-{n}.json")) for n in range(1, 5)}
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "quillstack", "url": BOARD, "endpoint": f"{origin}{API}"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    paths = [r.path for r in requests if r.path != "/robots.txt"]
    assert paths[0] == API and sorted(paths[1:]) == [f"{API}/{U(n)}" for n in range(1, 5)]

    rows = stored_postings(db)
    assert set(rows) == {f"{U(1)}:de", f"{U(2)}:en", f"{U(3)}:fr", f"{U(4)}:es"}
    assert {row["ats"] for row in rows.values()} == {"rippling"}

    platform = rows[f"{U(1)}:de"]
    assert (platform["title"], platform["url"], platform["department"], platform["workplace"]) == (
        "Senior Platform Engineer", f"{BOARD}/{U(1)}", "Engineering", "hybrid",
    )
    assert platform["date_posted"] == "2025-05-14T17:02:11+00:00"
    assert (platform["salary_min"], platform["salary_max"], platform["salary_currency"], platform["salary_period"]) == (
        85000.0, 105000.0, "EUR", "YEAR",
    )
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in platform["locations"]] == [("Berlin", "DE", 0)]
    # The role first, the company's blurb after it.
    assert platform["description"].startswith("Über die Rolle") and "About Quillstack" in platform["description"]

    sales = rows[f"{U(2)}:en"]  # two remote places
    assert (sales["workplace"], sales["employment_type"], sales["salary_currency"]) == ("remote", "FULL_TIME", "USD")
    assert [(loc["country_code"], loc["remote"]) for loc in sales["locations"]] == [("US", 1), ("CA", 1)]

    support = rows[f"{U(3)}:fr"]  # no pay range set
    assert (support["workplace"], support["salary_min"]) == ("onsite", None)
    assert [(loc["city"], loc["country_code"]) for loc in support["locations"]] == [("Paris", "FR")]

    books = rows[f"{U(4)}:es"]
    assert (books["salary_min"], books["salary_max"], books["salary_period"]) == (32.0, 40.0, "HOUR")
    assert [(loc["country_code"], loc["remote"]) for loc in books["locations"]] == [("ES", 1)]

    run = last_run(db, "quillstack")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    base = "/platform/api/ats/v1/board"
    routes = {
        f"GET {base}/empty/jobs": (200, []),
        f"GET {base}/garbled/jobs": (200, "<html><body>Bad gateway", {"Content-Type": "application/json"}),
        f"GET {base}/shapeless/jobs": (200, {"jobs": "none"}),
        f"GET {base}/odd/jobs": (200, [{"name": "no uuid"}, {"uuid": "u-991", "name": ["List"], "workLocation": 5}]),
        f"GET {base}/odd/jobs/u-991": (200, {"description": "plain", "payRangeDetails": {"minValue": 1}, "workLocations": "x"}),
    }
    names = ["missing", "empty", "garbled", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"rp-{name}", "url": f"https://ats.rippling.com/{name}/jobs", "endpoint": f"{origin}{base}/{name}/jobs"}
                   for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"rp-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),
    }
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["source"], odd["external_id"], odd["title"], odd["url"], odd["salary_min"]) == (
        "rp-odd", "u-991", "List", "https://ats.rippling.com/odd/jobs/u-991", None,
    )


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD, f"https://api.rippling.com{API}"),
        ("https://ats.rippling.com/quillstack", f"https://api.rippling.com{API}"),
        (f"{BOARD}/{U(1)}", f"https://api.rippling.com{API}"),
        ("https://ats.rippling.com/", None),
        ("https://quillstack.example/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


@pytest.mark.parametrize(
    "job",
    [
        {},
        {"uuid": "a", "workLocation": "Remote (Spain)", "department": ["x"], "payRangeDetails": [{"minValue": "lots"}]},
        {"uuid": "b", "workLocations": [None, 3, {"label": "x"}], "description": ["<p>x</p>"], "employmentType": {"id": 1}},
        {"uuid": 7, "description": {"role": None, "company": 5}, "payRangeDetails": "none", "createdOn": []},
    ],
)
def test_mapper_on_odd_jobs_never_raises(job):
    posting = spider().job_posting(job)
    assert posting is None if "uuid" not in job else posting.key == str(job["uuid"])


def test_mapper_on_one_job():
    job = {**ats_fixture("rippling", "jobs.json")[1], **ats_fixture("rippling", "job-2.json")}
    posting = spider().job_posting(job)
    assert (posting.workplace_raw, posting.employment_type_raw, posting.department) == ("Remote", "Full time", "Sales")
    assert [(loc.raw, loc.remote) for loc in posting.locations] == [("United States", True), ("Canada", True)]
    assert posting.salary_raw["value"]["unitText"] == "YEAR" and posting.stated_language is None
