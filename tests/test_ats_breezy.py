"""Breezy HR career sites: the positions JSON and the posting pages (JSON-LD) served on
127.0.0.1 from fixtures in their real shapes, crawled by the real `jobatlas crawl`; the mapper
on odd position dicts."""

from __future__ import annotations

import json

import pytest
from conftest import SITES, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.breezy import JSON_LD, BreezySpider, listing_url

FIXTURES = SITES / "ats" / "breezy"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD_URL = "https://lanternworks.breezy.hr/"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def positions() -> list[dict]:
    return json.loads((FIXTURES / "positions.json").read_text(encoding="utf-8"))


def page_routes(prefix: str = "") -> dict:
    return {f"GET {prefix}/p/{page.stem}": (200, page.read_text(encoding="utf-8"), HTML) for page in FIXTURES.glob("*.html")}


def spider() -> BreezySpider:
    return BreezySpider(source=Source(name="lanternworks", url=BOARD_URL))


def test_site_is_crawled_field_by_field(api_server, tmp_path):
    routes = {"GET /json": (200, positions()), **page_routes()}
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "lanternworks", "url": BOARD_URL, "endpoint": f"{origin}/json"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    paths = [r.path for r in requests if r.path != "/robots.txt"]
    assert paths[0] == "/json" and sorted(paths[1:]) == sorted(f"/p/{job['friendly_id']}" for job in positions())

    rows = stored_postings(db)
    assert set(rows) == {"b8d4f5495eb6:en", "c1a2b3c4d5e6:pt", "d9e8f7a6b5c4:fr"}
    assert {(row["ats"], row["company"]) for row in rows.values()} == {("breezy", "Lanternworks")}

    engineer = rows["b8d4f5495eb6:en"]
    assert (engineer["title"], engineer["url"], engineer["department"]) == (
        "Platform Engineer", "https://lanternworks.breezy.hr/p/b8d4f5495eb6-platform-engineer", "Engineering",
    )
    assert (engineer["employment_type"], engineer["workplace"], engineer["date_posted"]) == (
        "FULL_TIME", "onsite", "2025-05-06T15:04:11+00:00",
    )
    assert engineer["valid_through"] == "2025-08-04"
    assert (engineer["salary_min"], engineer["salary_max"], engineer["salary_currency"]) == (105000.0, 125000.0, "USD")
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in engineer["locations"]] == [
        ("Austin", "Texas", "US"), ("Toronto", "Ontario", "CA"),
    ]
    assert engineer["description"].startswith("Lanternworks makes lighting controls")

    analyst = rows["c1a2b3c4d5e6:pt"]  # the page's baseSalary wins over the list's (empty) text
    assert (analyst["employment_type"], analyst["salary_min"], analyst["salary_max"], analyst["salary_currency"], analyst["salary_period"]) == (
        "PART_TIME", 1400.0, 1700.0, "EUR", "MONTH",
    )
    assert [(loc["city"], loc["country_code"]) for loc in analyst["locations"]] == [("Lisboa", "PT")]

    support = rows["d9e8f7a6b5c4:fr"]
    assert (support["workplace"], support["employment_type"]) == ("remote", "CONTRACTOR")
    assert (support["salary_min"], support["salary_max"], support["salary_currency"], support["salary_period"]) == (
        3000.0, 3600.0, "EUR", "MONTH",
    )
    assert [(loc["country_code"], loc["remote"]) for loc in support["locations"]] == [("FR", 1), ("BE", 1)]
    assert "d'éclairage" in support["description"]

    run = last_run(db, "lanternworks")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "fr")] == [("BE", 1), ("FR", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    good, bare = positions()[0], {**positions()[1], "friendly_id": "gone-posting", "url": None}
    routes = {
        "GET /empty/json": (200, []),
        "GET /garbled/json": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /good/json": (200, [good]),
        "GET /nopage/json": (200, [bare]),  # its posting page answers 404
        **page_routes("/good"),
    }
    names = ["missing", "empty", "garbled", "good", "nopage"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"breezy-{name}", "url": f"https://{name}.breezy.hr/", "endpoint": f"{origin}/{name}/json"} for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"breezy-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "good": ("complete", {}),
        "nopage": ("partial", {"http_404": 1, "no_postings_found": 1}),  # a closed posting is dropped
    }
    assert [row["title"] for row in stored_postings(db).values()] == ["Platform Engineer"]


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://lanternworks.breezy.hr/", "https://lanternworks.breezy.hr/json"),
        ("https://lanternworks.breezy.hr", "https://lanternworks.breezy.hr/json"),
        ("https://lanternworks.breezy.hr/p/b8d4f5495eb6-platform-engineer", "https://lanternworks.breezy.hr/json"),
        ("https://assets-cdn.breezy.hr/breezy-portal/app.js", None),
        ("https://marketing.breezy.hr/", None),
        ("https://app.breezy.hr/signin", None),
        ("https://lanternworks.example/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_detail_url_follows_the_endpoint():
    source = Source(name="l", url=BOARD_URL, endpoint="http://127.0.0.1:9/mirror/json")
    breezy = BreezySpider(source=source)
    assert breezy.detail_url({"friendly_id": "ab-c"}) == "http://127.0.0.1:9/mirror/p/ab-c"
    assert breezy.detail_url({"url": "https://lanternworks.breezy.hr/p/ab-c"}) == "http://127.0.0.1:9/mirror/p/ab-c"
    assert breezy.detail_url({"url": 5}) is None


@pytest.mark.parametrize(
    "job",
    [
        {"id": 7},
        {"id": "7", "name": ["x"], "location": "Berlin", "locations": "Paris", "type": "fullTime", "salary": 12, "company": None},
        {"id": "7", "location": {"city": 3, "state": "TX", "country": ["US"], "is_remote": "yes"}, "type": {"id": None}},
        {"id": "7", "locations": [None, {"name": None}], JSON_LD: {"description": ["x"], "baseSalary": "lots"}},
    ],
)
def test_mapper_on_odd_jobs_never_raises(job):
    posting = spider().job_posting(job)
    assert posting.key == "7" and posting.url == BOARD_URL


def test_mapper_on_one_job():
    posting = spider().job_posting(positions()[2])
    assert (posting.employment_type_raw, posting.workplace_raw, posting.company) == ("Contract", "remote", "Lanternworks")
    assert [(loc.raw, loc.country, loc.remote) for loc in posting.locations] == [
        ("France (Remote)", "FR", True), ("Belgium (Remote)", "BE", True),
    ]
    assert posting.description_html is None  # the page was not read
    assert spider().job_posting({"name": "no id"}) is None
