"""Softgarden career sites: the jobs.feed.json DataFeed served on 127.0.0.1 from a fixture in its
real shape, crawled by the real `jobatlas crawl`; the feed URL of each site form; odd items."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.softgarden import SoftgardenSpider, listing_url

FIXTURES = SITES / "ats" / "softgarden"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SITE = "https://nordwerk.career.softgarden.de"
FEED = "/jobs.feed.json"


def spider() -> SoftgardenSpider:
    return SoftgardenSpider(source=Source(name="nordwerk", url=SITE))


# -- end to end ---------------------------------------------------------------------------------


def test_feed_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({f"GET {FEED}": (200, ats_fixture("softgarden", "feed.json"))}) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "nordwerk", "url": f"{SITE}/", "endpoint": f"{origin}{FEED}"}], *CRAWL_SETTINGS
        )
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"] == [FEED]

    rows = stored_postings(db)
    assert set(rows) == {"61985494:de", "61985512:en", "61985530:fr"}
    assert {row["ats"] for row in rows.values()} == {"softgarden"}
    assert {row["language_method"] for row in rows.values()} == {"detected"}  # the feed states none

    engineer = rows["61985494:de"]
    assert (engineer["title"], engineer["url"], engineer["company"]) == (
        "Projektingenieur Elektrotechnik (m/w/d)",
        f"{SITE}/jobs/61985494/Projektingenieur-Elektrotechnik-m-w-d-/",
        "Nordwerk Anlagenbau GmbH",
    )
    assert (engineer["employment_type"], engineer["date_posted"], engineer["valid_through"]) == (
        "FULL_TIME",
        "2025-05-02T08:15:00+00:00",
        "2027-01-31T22:59:59+00:00",
    )
    assert (engineer["salary_min"], engineer["salary_max"], engineer["salary_currency"], engineer["salary_period"]) == (
        62000.0, 74000.0, "EUR", "YEAR",
    )
    # A list of places: each one.
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in engineer["locations"]] == [
        ("Hamburg", "DE", 0),
        ("Wien", "AT", 0),
    ]
    assert engineer["description"].startswith("Deine Aufgaben")
    assert "<" not in engineer["description"]

    developer = rows["61985512:en"]  # one place, not a list; a number as its identifier
    # TELECOMMUTE beside an office address: hybrid (the normalize step's reading).
    assert (developer["title"], developer["company"], developer["workplace"]) == (
        "Senior Backend Developer (f/m/d)", "Nordwerk Digital GmbH", "hybrid",
    )
    assert [loc["country_code"] for loc in developer["locations"]] == ["CH"]
    assert developer["salary_min"] is None

    technician = rows["61985530:fr"]
    assert (technician["employment_type"], technician["date_posted"][:10]) == ("PART_TIME", "2025-04-20")
    assert [(loc["city"], loc["country_code"]) for loc in technician["locations"]] == [("Lyon", "FR")]

    run = last_run(db, "nordwerk")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("AT", 1), ("DE", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/jobs.feed.json": (200, {"@type": "DataFeed", "numberOfItems": 0, "dataFeedElement": []}),
        "GET /garbled/jobs.feed.json": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /shapeless/jobs.feed.json": (200, {"@type": "DataFeed", "dataFeedElement": "none"}),
        "GET /odd/jobs.feed.json": (
            200,
            {
                "dataFeedElement": [
                    {"item": {"title": ["List", "title"], "identifier": {"name": "Acme"}}},  # no id, no url
                    {"item": {"title": 7, "identifier": 991, "jobLocation": "Bremen", "employmentType": None,
                              "baseSalary": "n/a", "description": ["<p>x</p>"]}},
                    "not an element",
                    {"dateModified": "2025-01-01"},
                ]
            },
        ),
    }
    names = ["missing", "empty", "garbled", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"sg-{name}", "url": f"https://{name}.career.softgarden.de/", "endpoint": f"{origin}/{name}/jobs.feed.json"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"sg-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 2}),  # the id-less item and the element without one
    }
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["source"], odd["external_id"], odd["title"], odd["url"], odd["salary_min"]) == (
        "sg-odd", "991", "7", "https://odd.career.softgarden.de/", None,
    )


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://nordwerk.career.softgarden.de/", f"{SITE}/jobs.feed.json"),
        (f"{SITE}/jobs/61985494/Projektingenieur/", f"{SITE}/jobs.feed.json"),
        ("https://koelnmesse.softgarden.io/job/3067410?l=de", "https://koelnmesse.softgarden.io/jobs.feed.json"),
        # The company's own domain, declared `kind: softgarden`.
        ("https://karriere.klinikum-bayreuth.de/", "https://karriere.klinikum-bayreuth.de/jobs.feed.json"),
        ("https://api.softgarden.io/api/rest/v3/frontend/jobslist/125411_extern", None),
        ("ftp://nordwerk.career.softgarden.de/", None),
    ],
)
def test_listing_url_from_site_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_mapper_on_odd_elements():
    feed = ats_fixture("softgarden", "feed.json")["dataFeedElement"]
    posting = spider().job_posting(feed[1])
    assert (posting.key, posting.external_id, posting.ats) == ("61985512", "61985512", "softgarden")
    assert posting.job_location_type == "TELECOMMUTE" and posting.stated_language is None
    # A bare JobPosting as the element; a URL without an identifier keys the posting.
    bare = {"@type": "JobPosting", "title": "X", "url": f"{SITE}/jobs/1/X/"}
    assert spider().job_posting(bare).key == f"{SITE}/jobs/1/X/"
    for odd in ({}, {"item": None}, {"item": {"identifier": {"name": "Acme"}}}, {"item": {"url": 5, "jobLocation": [None, 3]}}):
        spider().job_posting(odd)  # never raises
    assert spider().job_posting({"item": {"identifier": [None, {"value": "42"}], "jobLocation": [None, 3]}}).key == "42"
