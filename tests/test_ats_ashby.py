"""Ashby boards: the Job Postings API served on 127.0.0.1 from fixtures in its real shapes,
crawled by the real `jobatlas crawl`; the mapper on single job dicts; a real sample when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.ashby import AshbySpider, listing_url

FIXTURES = SITES / "ats" / "ashby"
REAL_SAMPLES = Path(__file__).parents[2] / "shared" / "real-samples" / "ashby"
# No retries; no route here is slow, so a roomy timeout costs nothing and keeps a loaded CI green.
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD = "/posting-api/job-board/Tidewater"
ID = "a3f0c1d2-000{}-4e5f-8a9b-11223344550{}".format


def job_id(n: int) -> str:
    return ID(n, n)


def spider() -> AshbySpider:
    return AshbySpider(source=Source(name="tidewater", url="https://jobs.ashbyhq.com/Tidewater"))


# -- end to end ---------------------------------------------------------------------------------


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({f"GET {BOARD}": (200, ats_fixture("ashby", "board.json"))}) as (origin, requests):
        # No `kind`: detected from the board URL; `endpoint` points the crawl at the local API.
        result, db = crawl_into(
            tmp_path,
            [
                {
                    "name": "tidewater",
                    "url": "https://jobs.ashbyhq.com/Tidewater",
                    "endpoint": f"{origin}{BOARD}?includeCompensation=true",
                }
            ],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    assert [(r.path, r.query) for r in requests if r.path != "/robots.txt"] == [
        (BOARD, {"includeCompensation": ["true"]})
    ]

    rows = stored_postings(db)
    # The unlisted posting (hidden from the board by the company) is left out.
    assert set(rows) == {f"{job_id(1)}:en", f"{job_id(2)}:fr", f"{job_id(3)}:de", f"{job_id(4)}:en"}
    assert {row["language_method"] for row in rows.values()} == {"detected"}  # Ashby states none
    assert len({row["translation_group"] for row in rows.values()}) == 4
    assert {row["ats"] for row in rows.values()} == {"ashby"}

    engineer = rows[f"{job_id(1)}:en"]
    assert engineer["title"] == "Staff Data Engineer"
    assert engineer["url"] == f"https://jobs.ashbyhq.com/Tidewater/{job_id(1)}"
    assert engineer["apply_url"] == f"https://jobs.ashbyhq.com/Tidewater/{job_id(1)}/application"
    assert (engineer["department"], engineer["employment_type"], engineer["workplace"]) == (
        "Engineering",
        "FULL_TIME",
        "hybrid",
    )
    # The salary component, not the equity one beside it.
    assert (engineer["salary_min"], engineer["salary_max"], engineer["salary_currency"], engineer["salary_period"]) == (
        180000.0,
        220000.0,
        "USD",
        "YEAR",
    )
    assert engineer["date_posted"] == "2025-04-02T14:30:00+00:00"
    assert [(loc["city"], loc["region"], loc["country_code"], loc["remote"]) for loc in engineer["locations"]] == [
        ("New York", "New York", "US", 0),
        ("Toronto", "Ontario", "CA", 0),
    ]
    assert engineer["description"].startswith("About the role\nTidewater moves freight data")
    assert "<" not in engineer["description"]

    support = rows[f"{job_id(2)}:fr"]
    assert (support["title"], support["workplace"]) == ("Ingénieur support client (H/F)", "onsite")
    assert [(loc["city"], loc["country_code"]) for loc in support["locations"]] == [("Paris", "FR")]
    # Only tiers, no summary: the tier's salary.
    assert (support["salary_min"], support["salary_max"], support["salary_currency"], support["salary_period"]) == (
        45000.0,
        55000.0,
        "EUR",
        "YEAR",
    )

    sales = rows[f"{job_id(3)}:de"]
    assert sales["workplace"] == "remote"
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in sales["locations"]] == [
        (None, "DE", 1),
        (None, "AT", 1),
    ]
    assert (sales["salary_min"], sales["salary_max"], sales["salary_period"]) == (4500.0, 6000.0, "MONTH")

    designer = rows[f"{job_id(4)}:en"]  # remote, workplaceType missing: isRemote decides
    assert (designer["workplace"], designer["employment_type"], designer["salary_min"]) == (
        "remote",
        "CONTRACTOR",
        None,
    )
    assert [(loc["country_code"], loc["remote"]) for loc in designer["locations"]] == [(None, 1)]  # "European Union"

    run = last_run(db, "tidewater")
    assert (run["status"], run["problems"]) == ("complete", {})

    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("AT", 1), ("DE", 1)]
    assert [(r["country_code"], r["country"], r["jobs"]) for r in countries_json(db, "en")] == [
        ("CA", "Canada", 1),
        ("US", "United States", 1),
    ]


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /posting-api/job-board/empty": (200, {"apiVersion": "1", "jobs": []}),
        "GET /posting-api/job-board/garbled": (
            200,
            (FIXTURES / "garbled.json").read_text(),
            {"Content-Type": "application/json"},
        ),
        "GET /posting-api/job-board/busy": (429, "Too Many Requests"),
        "GET /posting-api/job-board/shapeless": (200, {"apiVersion": "1", "jobs": {"a": 1}}),
        "GET /posting-api/job-board/odd": (200, ats_fixture("ashby", "odd.json")),
    }
    names = ["missing", "empty", "garbled", "busy", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [
            {
                "name": f"ashby-{name}",
                "url": f"https://jobs.ashbyhq.com/{name}",
                "endpoint": f"{origin}/posting-api/job-board/{name}",
            }
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1  # a source failed as a whole
    runs = {name: last_run(db, f"ashby-{name}") for name in names}
    # Each source on its own: status and problems counted by kind (a note, no_postings_found, is
    # not an error; a source that failed as a whole has only its failure).
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "busy": ("failed", {"http_429": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),  # a job without an id: counted, the others stored
    }

    [odd] = query(db, "SELECT * FROM jobs")  # wrong types are coerced or skipped, never fatal
    assert (odd["source"], odd["external_id"], odd["title"], odd["url"], odd["salary_min"], odd["employment_type"]) == (
        "ashby-odd",
        "991",
        "List",
        "https://jobs.ashbyhq.com/odd",
        None,
        None,
    )
    locations = query(db, "SELECT raw, country_code FROM job_locations WHERE job_id = ?", odd["id"])
    assert locations == [{"raw": "5", "country_code": None}]  # a number as a place name: kept as text


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (
            "https://jobs.ashbyhq.com/Tidewater",
            "https://api.ashbyhq.com/posting-api/job-board/Tidewater?includeCompensation=true",
        ),
        (
            f"https://jobs.ashbyhq.com/Tidewater/{job_id(1)}/application",
            "https://api.ashbyhq.com/posting-api/job-board/Tidewater?includeCompensation=true",
        ),
        ("https://jobs.ashbyhq.com/", None),
        ("https://jobs.ashbyhq.com/api/non-user-graphql", None),  # the board page's own API, no board
        ("https://tidewater.example/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_mapper_on_one_job():
    posting = spider().job_posting(ats_fixture("ashby", "board.json")["jobs"][2])
    assert (posting.key, posting.external_id) == (job_id(3), job_id(3))
    assert posting.stated_language is None and posting.translation_key is None and posting.country_hint is None
    assert (posting.workplace_raw, posting.employment_type_raw, posting.date_posted_raw) == (
        "Remote",
        "FullTime",
        "2025-03-25T09:15:00.000+00:00",
    )
    assert [(loc.raw, loc.country, loc.remote) for loc in posting.locations] == [
        ("Remote - Germany", "Germany", True),
        ("Remote - Austria", "Austria", True),
    ]
    assert posting.salary_raw["value"] == {
        "@type": "QuantitativeValue",
        "minValue": 4500,
        "maxValue": 6000,
        "unitText": "MONTH",
    }
    assert spider().job_posting({"title": "no id"}) is None


def test_mapper_on_the_real_sample():
    sample = REAL_SAMPLES / "srajob2__ashby_serval_listing_payload.json"
    if not sample.is_file():
        pytest.skip("real samples are not on this machine")
    jobs = json.loads(sample.read_text(encoding="utf-8"))["jobs"]
    postings = [spider().job_posting(job) for job in jobs]
    assert len(postings) == 16 and all(postings)
    assert len({p.key for p in postings}) == 16
    assert all(
        p.title and p.url.startswith("https://jobs.ashbyhq.com/Serval/") and p.description_html.startswith("<")
        for p in postings
    )
    assert all(p.employment_type_raw == "FullTime" and p.date_posted_raw for p in postings)
    assert {(loc.city, loc.region, loc.country) for p in postings for loc in p.locations} == {
        ("San Francisco", "California", "United States")
    }
    assert all(p.salary_raw is None for p in postings)  # fetched without includeCompensation
