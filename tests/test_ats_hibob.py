"""HiBob career sites: the job-ad JSON served on 127.0.0.1 from a fixture in its real shape,
crawled by the real `jobatlas crawl`; the request's headers and the mapper on odd job dicts."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.board import Page
from crawler.spiders.hibob import HiBobSpider, listing_url

FIXTURES = SITES / "ats" / "hibob"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD_URL = "https://harbourlight.careers.hibob.com/jobs"
ID = "04e764ae-1c2b-4d3e-8f90-a1b2c3d4e5f{}".format


def spider() -> HiBobSpider:
    return HiBobSpider(source=Source(name="harbourlight", url=BOARD_URL))


def test_site_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({"GET /api/job-ad": (200, ats_fixture("hibob", "job-ad.json"))}) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "harbourlight", "url": BOARD_URL, "endpoint": f"{origin}/api/job-ad"}], *CRAWL_SETTINGS
        )
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"] == ["/api/job-ad"]

    rows = stored_postings(db)
    assert set(rows) == {f"{ID(1)}:en", f"{ID(2)}:de", f"{ID(3)}:es"}
    assert {row["language_method"] for row in rows.values()} == {"ats"}  # HiBob states each ad's language

    analyst = rows[f"{ID(1)}:en"]
    assert (analyst["title"], analyst["url"], analyst["apply_url"], analyst["department"]) == (
        "Data Analyst",
        f"https://harbourlight.careers.hibob.com/jobs/{ID(1)}",
        f"https://harbourlight.careers.hibob.com/jobs/{ID(1)}/apply",
        "Finance",
    )
    assert (analyst["workplace"], analyst["employment_type"], analyst["salary_min"]) == ("hybrid", None, None)
    assert analyst["date_posted"] == "2025-04-22T07:20:46+00:00"
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in analyst["locations"]] == [("New York", "US", 0)]
    # Every section, under the headings the site gave.
    description = analyst["description"]
    assert description.startswith("Harbourlight is a marketplace")
    assert all(part in description for part in ("What you will do", "revenue and margin", "What we look for", "book allowance"))

    student = rows[f"{ID(2)}:de"]
    assert (student["title"], student["workplace"], student["employment_type"]) == (
        "Werkstudent Kundenservice (m/w/d)", "onsite", "PART_TIME",
    )
    assert [(loc["city"], loc["country_code"]) for loc in student["locations"]] == [("Berlin", "DE")]
    assert "Hochschule" in student["description"]

    partnerships = rows[f"{ID(3)}:es"]
    assert (partnerships["workplace"], partnerships["employment_type"]) == ("remote", "CONTRACTOR")
    assert [(loc["country_code"], loc["remote"]) for loc in partnerships["locations"]] == [("ES", 1)]
    assert partnerships["date_posted"] == "2025-04-10T12:30:00+00:00"

    run = last_run(db, "harbourlight")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "es")] == [("ES", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/api/job-ad": (200, {"filterGroups": {}, "jobAdDetails": []}),
        "GET /garbled/api/job-ad": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /good/api/job-ad": (200, ats_fixture("hibob", "job-ad.json")),
    }
    names = ["missing", "empty", "garbled", "good"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"bob-{name}", "url": f"https://{name}.careers.hibob.com/", "endpoint": f"{origin}/{name}/api/job-ad"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"bob-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "good": ("complete", {}),
    }
    assert len(stored_postings(db)) == 3


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://harbourlight.careers.hibob.com/", "https://harbourlight.careers.hibob.com/api/job-ad"),
        ("https://harbourlight.careers.hibob.com/jobs", "https://harbourlight.careers.hibob.com/api/job-ad"),
        (f"https://harbourlight.careers.hibob.com/jobs/{ID(1)}/apply", "https://harbourlight.careers.hibob.com/api/job-ad"),
        ("https://hibob-fa0ad69d0cb34a.careers.hibob.com/jobs", "https://hibob-fa0ad69d0cb34a.careers.hibob.com/api/job-ad"),
        ("https://www.careers.hibob.com/", None),
        ("https://www.hibob.com/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_the_request_names_the_tenant_also_on_an_endpoint():
    source = Source(name="h", url=BOARD_URL, endpoint="http://127.0.0.1:9/api/job-ad")
    request = HiBobSpider(source=source).listing_request("http://127.0.0.1:9/api/job-ad", Page(0, 0))
    assert request.url == "http://127.0.0.1:9/api/job-ad"
    assert request.headers.get("Referer") == b"https://harbourlight.careers.hibob.com/jobs"
    assert request.headers.get("companyIdentifier") == b"harbourlight"


@pytest.mark.parametrize(
    "job",
    [
        {"id": 7},
        {"id": "7", "title": ["x"], "site": {"name": "Paris"}, "country": 3, "sectionLabels": ["a"], "description": 5},
        {"id": "7", "description": None, "requirements": {"a": 1}, "publishedAt": 1745300000000, "language": None},
        {"id": "7", "workspaceTypeId": None, "workspaceType": "Remote", "site": None, "country": None},
    ],
)
def test_mapper_on_odd_jobs_never_raises(job):
    posting = spider().job_posting(job)
    assert posting.key == "7" and posting.url == "https://harbourlight.careers.hibob.com/jobs/7"


def test_mapper_on_one_job():
    job = ats_fixture("hibob", "job-ad.json")["jobAdDetails"][1]
    posting = spider().job_posting(job)
    assert (posting.stated_language, posting.workplace_raw, posting.employment_type_raw) == ("de", "on_site", "Working student")
    assert [(loc.raw, loc.city, loc.country, loc.remote) for loc in posting.locations] == [
        ("Berlin, Germany", "Berlin", "Germany", False)
    ]
    assert posting.description_html.count("<ul>") == 3  # no heading invented where the site gave none
    assert spider().job_posting({"title": "no id"}) is None
