"""Eightfold career sites: the SmartApply v2 API served on 127.0.0.1 from fixtures in its real
shapes, crawled by the real `jobatlas crawl`; the mapper on odd position dicts."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.eightfold import EightfoldSpider, board_domain, listing_url

FIXTURES = SITES / "ats" / "eightfold"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
API = "/api/apply/v2/jobs"
BOARD = "https://northwind.eightfold.ai/careers"
BASE = 790300000000


def spider() -> EightfoldSpider:
    return EightfoldSpider(source=Source(name="northwind", url=BOARD))


def listing(request):
    assert request.query["domain"] == ["northwind.com"] and request.query["num"] == ["10"]
    return 200, ats_fixture("eightfold", "page-1.json" if request.query["start"] == ["0"] else "page-2.json")


def detail_routes() -> dict:
    details = ats_fixture("eightfold", "details.json")
    routes = {}
    for n in list(range(1, 13)):
        job_id = str(BASE + n)
        body = details.get(job_id) or {"id": BASE + n, "job_description": "<p>Help customers in our Dublin store.</p>"}
        routes[f"GET {API}/{job_id}"] = (200, body)
    return routes


# -- end to end ---------------------------------------------------------------------------------


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({f"GET {API}": listing, **detail_routes()}) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "northwind", "url": BOARD, "endpoint": f"{origin}{API}?domain=northwind.com"}],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    assert [r.query["start"] for r in requests if r.path == API] == [["0"], ["10"]]
    details = {r.path for r in requests if r.path.startswith(f"{API}/")}
    assert len(details) == 11 and f"{API}/{BASE + 3}" not in details  # 3 had its text in the list
    assert all(r.query["domain"] == ["northwind.com"] for r in requests if r.path.startswith(f"{API}/"))

    rows = stored_postings(db)
    assert len(rows) == 12
    engineer = rows["JR4001:en"]
    assert engineer["title"] == "Senior Data Engineer"
    assert engineer["url"] == f"https://northwind.eightfold.ai/careers/job/{BASE + 1}"
    assert (engineer["department"], engineer["workplace"], engineer["employment_type"]) == (
        "Data Engineering", "hybrid", None)
    assert engineer["language_method"] == "ats"
    assert engineer["date_posted"].startswith("2026-09-21")
    assert [(loc["city"], loc["country_code"]) for loc in engineer["locations"]] == [("Los Gatos", "US"), ("Toronto", "CA")]
    assert engineer["description"].startswith("The role")
    assert engineer["salary_min"] is None

    student = rows["JR4002:de"]
    assert (student["title"], student["workplace"]) == ("Werkstudent Marketing (m/w/d)", "onsite")
    assert [(loc["city"], loc["country_code"]) for loc in student["locations"]] == [("München", "DE")]

    lawyer = rows["JR4003:fr"]
    assert lawyer["description"].startswith("Votre mission")

    support = rows["JR4011:es"]  # page 2, remote
    assert support["workplace"] == "remote"
    assert [(loc["country_code"], loc["remote"]) for loc in support["locations"]] == [("MX", 1)]

    run = last_run(db, "northwind")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("DE", 1)]


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    def route(request):
        domain = request.query["domain"][0]
        if domain == "empty.com":
            return 200, {"positions": [], "count": 0}
        if domain == "garbled.com":
            return 200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}
        return 200, {"positions": [ats_fixture("eightfold", "page-1.json")["positions"][2]], "count": 1}

    names = ["missing", "empty", "garbled", "good"]
    with api_server({f"GET {API}": route}) as (origin, _):
        entries = [
            {"name": f"ef-{name}", "url": f"https://{name}.eightfold.ai/careers",
             "endpoint": f"{origin}{'/gone' if name == 'missing' else ''}{API}?domain={name}.com"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"ef-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "good": ("complete", {}),
    }
    assert list(stored_postings(db)) == ["JR4003:fr"]


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD, "https://northwind.eightfold.ai/api/apply/v2/jobs?domain=northwind.com"),
        ("https://netflix.eightfold.ai/careers?domain=netflix.com&pid=790298595070",
         "https://netflix.eightfold.ai/api/apply/v2/jobs?domain=netflix.com"),
        ("https://explore.jobs.netflix.net/careers?domain=netflix.com",
         "https://explore.jobs.netflix.net/api/apply/v2/jobs?domain=netflix.com"),
        ("https://jobs.arcadis.com/careers", "https://jobs.arcadis.com/api/apply/v2/jobs?domain=arcadis.com"),
        ("https://app.eightfold.ai/careers", None),  # Eightfold's own app host names no company
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_board_domain_of_an_eightfold_host():
    assert board_domain("https://bayer.eightfold.ai/careers") == "bayer.com"


@pytest.mark.parametrize(
    "job",
    [
        {"id": 7},
        {"id": "8", "name": None, "locations": "Paris", "t_create": "soon", "work_location_option": 3, "locale": 5},
        {"id": 9, "locations": [None, 4, {"x": 1}], "location": ["a"], "t_create": True, "job_description": {}},
    ],
)
def test_mapper_on_odd_jobs(job):
    posting = spider().job_posting(job)
    assert posting.key == str(job["id"]) and posting.url == f"https://northwind.eightfold.ai/careers/job/{job['id']}"
    assert posting.date_posted_raw is None


def test_mapper_without_id():
    assert spider().job_posting({"name": "no id"}) is None
