"""Greenhouse boards: the Job Board API served on 127.0.0.1 from fixtures in its real shapes,
crawled by the real `jobatlas crawl`; the mapper on single job dicts; a real sample when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.greenhouse import GreenhouseSpider, listing_url, translated_jobs

FIXTURES = SITES / "ats" / "greenhouse"
REAL_SAMPLES = Path(__file__).parents[2] / "shared" / "real-samples" / "greenhouse"
# No retries; no route here is slow, so a roomy timeout costs nothing and keeps a loaded CI green.
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD = "/v1/boards/northwind/jobs"


def spider() -> GreenhouseSpider:
    return GreenhouseSpider(source=Source(name="northwind", url="https://boards.greenhouse.io/northwind"))


# -- end to end ---------------------------------------------------------------------------------


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({f"GET {BOARD}": (200, ats_fixture("greenhouse", "board.json"))}) as (origin, requests):
        # No `kind`: detected from the board URL; `endpoint` points the crawl at the local API.
        result, db = crawl_into(
            tmp_path,
            [
                {
                    "name": "northwind",
                    "url": "https://boards.greenhouse.io/northwind",
                    "endpoint": f"{origin}{BOARD}?content=true&pay_transparency=true",
                }
            ],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    api_calls = [r for r in requests if r.path != "/robots.txt"]
    assert [(r.path, r.query) for r in api_calls] == [(BOARD, {"content": ["true"], "pay_transparency": ["true"]})]

    rows = stored_postings(db)
    assert set(rows) == {"4101001:en", "4101005:en", "4101002:fr", "4101003:de", "4101004:en"}
    assert {row["ats"] for row in rows.values()} == {"greenhouse"}
    assert {row["language_method"] for row in rows.values()} == {"ats"}

    engineer = rows["4101001:en"]
    assert engineer["title"] == "Senior Backend Engineer, Fleet Telemetry"
    assert engineer["url"] == "https://job-boards.greenhouse.io/northwind/jobs/4101001"
    assert engineer["company"] == "Northwind Robotics"
    assert engineer["department"] == "Engineering"
    assert engineer["employment_type"] == "FULL_TIME"
    assert engineer["workplace"] == "onsite"
    # Two pay zones in one currency become one span; their titles say "Annual".
    assert (engineer["salary_min"], engineer["salary_max"], engineer["salary_currency"], engineer["salary_period"]) == (
        145000.0,
        185000.0,
        "USD",
        "YEAR",
    )
    assert engineer["date_posted"] == "2025-02-20T14:00:00+00:00"
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in engineer["locations"]] == [
        ("Denver", "CO", "US"),
        ("New York", "NY", "US"),
    ]
    # The escaped HTML was unescaped once: tags gone from the text, kept (sanitised) in the HTML.
    assert engineer["description"].startswith("About the team\nFleet Telemetry ingests sensor data")
    assert "Mentor engineers across two offices" in engineer["description"]
    assert "<" not in engineer["description"] and "&lt;" not in engineer["description"]
    assert "<li>Design streaming services in Go and Kotlin</li>" in engineer["description_html"]

    # The French and German posts of one job are translations; the Toronto post of the English
    # job is a location variant, not a translation.
    french, german = rows["4101002:fr"], rows["4101003:de"]
    assert french["translation_group"] == german["translation_group"]
    assert rows["4101005:en"]["translation_group"] not in {engineer["translation_group"], french["translation_group"]}
    assert len({row["translation_group"] for row in rows.values()}) == 4
    assert french["title"] == "Responsable des opérations logistiques"
    assert [(loc["city"], loc["country_code"]) for loc in french["locations"]] == [("Genève", "CH")]
    assert [(loc["city"], loc["country_code"]) for loc in german["locations"]] == [("Genf", "CH")]
    assert (french["salary_min"], french["salary_max"], french["salary_currency"], french["salary_period"]) == (
        98000.0,
        112000.0,
        "CHF",
        None,
    )
    assert french["description"].startswith("Vous pilotez les opérations")

    remote = rows["4101004:en"]
    assert remote["workplace"] == "remote"
    assert remote["employment_type"] == "PART_TIME"
    assert remote["date_posted"] == "2025-02-01T12:00:00+00:00"
    assert [(loc["country_code"], loc["remote"]) for loc in remote["locations"]] == [("GB", 1)]
    assert remote["salary_min"] is None

    assert [(loc["city"], loc["country_code"]) for loc in rows["4101005:en"]["locations"]] == [("Toronto", "CA")]
    run = last_run(db, "northwind")
    assert (run["status"], run["problems"]) == ("complete", {})

    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("CA", 1), ("GB", 1), ("US", 1)]
    assert [(r["country_code"], r["country"], r["jobs"]) for r in countries_json(db, "fr")] == [
        ("CH", "Switzerland", 1)
    ]


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /v1/boards/empty/jobs": (200, {"jobs": [], "meta": {"total": 0}}),
        "GET /v1/boards/garbled/jobs": (
            200,
            (FIXTURES / "garbled.json").read_text(),
            {"Content-Type": "application/json"},
        ),
        "GET /v1/boards/busy/jobs": (429, {"status": 429, "error": "Too Many Requests"}),
        "GET /v1/boards/truncated/jobs": (200, ats_fixture("greenhouse", "truncated.json")),
        "GET /v1/boards/odd/jobs": (200, ats_fixture("greenhouse", "odd.json")),
    }
    names = ["missing", "empty", "garbled", "busy", "truncated", "odd"]
    with api_server(routes) as (origin, _):
        entries = [
            {
                "name": f"gh-{name}",
                "url": f"https://job-boards.eu.greenhouse.io/{name}",
                "endpoint": f"{origin}/v1/boards/{name}/jobs?content=true",
            }
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1  # a source failed as a whole
    runs = {name: last_run(db, f"gh-{name}") for name in names}
    # Each source on its own: status and problems counted by kind (a note, no_postings_found, is
    # not an error; a source that failed as a whole has only its failure).
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "busy": ("failed", {"http_429": 1}),
        "truncated": ("partial", {"truncated_listing": 1}),
        "odd": ("complete", {}),
    }
    assert runs["empty"]["errors"] == 0
    assert "meta.total is 3, the listing holds 1" in runs["truncated"]["problem_examples"][0]["detail"]

    by_source = {row["source"]: row for row in query(db, "SELECT * FROM jobs")}
    assert set(by_source) == {"gh-truncated", "gh-odd"}
    odd = by_source["gh-odd"]  # numbers where strings belong are coerced; nulls are skipped
    assert (odd["title"], odd["external_id"], odd["employment_type"], odd["salary_min"]) == (
        "12345",
        "77",
        "CONTRACTOR",
        None,
    )
    assert query(db, "SELECT COUNT(*) AS n FROM job_locations WHERE job_id = ?", odd["id"]) == [{"n": 0}]


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (
            "https://boards.greenhouse.io/acme",
            "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true",
        ),
        (
            "https://job-boards.greenhouse.io/acme/jobs/4101001",
            "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true",
        ),
        (
            "https://job-boards.eu.greenhouse.io/acme",
            "https://boards-api.eu.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true",
        ),
        (
            "https://boards.greenhouse.io/embed/job_board?for=acme",
            "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true",
        ),
        (  # `for=` names the board on any path, not only under /embed
            "https://boards.greenhouse.io/?for=acme",
            "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true",
        ),
        ("https://boards.greenhouse.io/", None),
        ("https://careers.acme.com/jobs", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_mapper_on_one_job():
    jobs = ats_fixture("greenhouse", "board.json")["jobs"]
    posting = spider().job_posting(jobs[2], translated_jobs(jobs))
    assert posting.key == posting.external_id == "4101002"
    assert posting.translation_key == "job:9002"
    assert posting.stated_language == "fr"
    assert posting.country_hint == "CH"  # from the office "Geneva, Switzerland"
    assert [loc.raw for loc in posting.locations] == ["Genève, Suisse"]
    assert posting.description_html.startswith("&lt;p&gt;Vous pilotez")  # left escaped for the clean step
    assert posting.salary_raw["value"]["minValue"] == 98000.0  # sent as the string "98000.0"

    assert translated_jobs(jobs) == {"9002"}
    assert spider().job_posting({"title": "no id"}) is None
    bare = spider().job_posting({"id": 5, "title": "Bare", "location": {"name": ""}})
    assert (bare.url, bare.locations, bare.company, bare.salary_raw) == (
        "https://boards.greenhouse.io/northwind",
        [],
        None,
        None,
    )


def test_mapper_on_real_samples():
    if not REAL_SAMPLES.is_dir():
        pytest.skip("real samples are not on this machine")
    postings = [
        spider().job_posting(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(REAL_SAMPLES.glob("*.json"))
    ]
    assert postings and all(p.title and p.url.startswith("https://") and p.description_html for p in postings)
    assert len({p.key for p in postings}) == len(postings)
    assert {p.stated_language for p in postings} == {"en"}
    assert all(p.locations and p.date_posted_raw and p.company for p in postings)
    # One sample publishes its pay as a currency_range custom field.
    assert any(p.salary_raw and p.salary_raw["currency"] == "USD" for p in postings)
