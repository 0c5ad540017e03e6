"""Lever sites: the Postings API served on 127.0.0.1 from fixtures in its real shapes (two pages),
crawled by the real `jobatlas crawl`; the mapper on single posting dicts; a real sample when present."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.lever import LeverSpider, listing_url

FIXTURES = SITES / "ats" / "lever"
REAL_SAMPLES = Path(__file__).parents[2] / "shared" / "real-samples" / "lever"
# No retries; no route here is slow, so a roomy timeout costs nothing and keeps a loaded CI green.
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SITE = "/v0/postings/brightloop"
ID = "6f1c2a40-1b7e-4c55-9d1e-0a5b3c2d4e0{}".format


def spider() -> LeverSpider:
    return LeverSpider(source=Source(name="brightloop", url="https://jobs.lever.co/brightloop"))


def pages(request):
    """Page 1 holds `limit` (3) postings, page 2 the last two; past them the list is empty."""
    skip = request.query["skip"][0]
    return (200, {"0": ats_fixture("lever", "page1.json"), "3": ats_fixture("lever", "page2.json")}.get(skip, []))


# -- end to end ---------------------------------------------------------------------------------


def test_site_is_crawled_page_by_page_field_by_field(api_server, tmp_path):
    with api_server({f"GET {SITE}": pages}) as (origin, requests):
        # No `kind`: detected from the site URL. The endpoint's `limit` sets the page size.
        result, db = crawl_into(
            tmp_path,
            [
                {
                    "name": "brightloop",
                    "url": "https://jobs.lever.co/brightloop",
                    "endpoint": f"{origin}{SITE}?mode=json&limit=3",
                    "company": "Brightloop",
                }
            ],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    api_calls = [r.query for r in requests if r.path == SITE]
    assert api_calls == [
        {"mode": ["json"], "skip": ["0"], "limit": ["3"]},
        {"mode": ["json"], "skip": ["3"], "limit": ["3"]},  # short page: the last one
    ]

    rows = stored_postings(db)
    assert set(rows) == {f"{ID(1)}:en", f"{ID(2)}:fr", f"{ID(3)}:es", f"{ID(4)}:en", f"{ID(5)}:en"}
    assert {row["language_method"] for row in rows.values()} == {"detected"}  # Lever states none
    assert len({row["translation_group"] for row in rows.values()}) == 5
    assert {row["company"] for row in rows.values()} == {"Brightloop"}  # from the sources file

    platform = rows[f"{ID(1)}:en"]
    assert platform["title"] == "Platform Engineer"
    assert platform["url"] == f"https://jobs.lever.co/brightloop/{ID(1)}"
    assert platform["apply_url"] == f"https://jobs.lever.co/brightloop/{ID(1)}/apply"
    assert platform["department"] == "Engineering"
    assert (platform["employment_type"], platform["workplace"]) == ("FULL_TIME", "hybrid")
    assert (platform["salary_min"], platform["salary_max"], platform["salary_currency"], platform["salary_period"]) == (
        70000.0,
        90000.0,
        "EUR",
        "YEAR",
    )
    assert platform["date_posted"] == "2025-02-01T10:00:00+00:00"  # createdAt, epoch ms
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in platform["locations"]] == [
        ("Berlin", "DE", 0),
        ("Munich", "DE", 0),
    ]
    # The lists and the closing section are part of the posting's text, in page order.
    description = platform["description"]
    assert description.startswith("Brightloop builds scheduling software")
    assert description.index("What you will do") < description.index("Make deployments boring and safe")
    assert description.index("Calm during incidents") < description.index("thirty days of paid leave")
    assert "<" not in description

    french = rows[f"{ID(2)}:fr"]
    assert (french["title"], french["employment_type"], french["workplace"]) == (
        "Conseiller ou conseillère clientèle",
        "FULL_TIME",
        "onsite",
    )
    assert [(loc["city"], loc["country_code"]) for loc in french["locations"]] == [("Montréal", "CA")]
    assert "Former les nouvelles équipes" in french["description"]

    spanish = rows[f"{ID(3)}:es"]
    assert (spanish["employment_type"], spanish["workplace"]) == ("CONTRACTOR", "remote")
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in spanish["locations"]] == [(None, "ES", 1)]
    assert (spanish["salary_min"], spanish["salary_max"], spanish["salary_period"]) == (25.0, 32.0, "HOUR")

    # "London" with Lever's country "CA" is London, Ontario.
    onboarding = rows[f"{ID(4)}:en"]
    assert [(loc["city"], loc["country_code"]) for loc in onboarding["locations"]] == [("London", "CA")]
    assert onboarding["employment_type"] == "PART_TIME"

    intern = rows[f"{ID(5)}:en"]  # old-style posting: plain text, "unspecified" workplace
    assert (intern["employment_type"], intern["workplace"], intern["salary_min"]) == ("INTERN", "onsite", None)
    assert intern["date_posted"] == "2015-05-30T15:33:20+00:00"
    assert intern["description"].startswith("Spend a summer with our marketing team.\nYou will interview")
    assert [(loc["city"], loc["country_code"]) for loc in intern["locations"]] == [("London", "GB")]

    run = last_run(db, "brightloop")
    assert (run["status"], run["pages"], run["problems"]) == ("complete", 2, {})

    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("CA", 1), ("DE", 1), ("GB", 1)]
    assert [(r["country_code"], r["country"], r["jobs"]) for r in countries_json(db, "es")] == [("ES", "Spain", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    first_page = ats_fixture("lever", "page1.json")[:2]
    routes = {
        "GET /v0/postings/missing": (404, {"ok": False, "error": "Document not found"}),
        "GET /v0/postings/empty": (200, []),
        "GET /v0/postings/garbled": (
            200,
            (FIXTURES / "garbled.json").read_text(),
            {"Content-Type": "application/json"},
        ),
        "GET /v0/postings/busy": (429, {"ok": False, "error": "Too many requests"}),
        # Ignores `skip`: every page is the first one.
        "GET /v0/postings/stuck": (200, first_page),
        "GET /v0/postings/odd": (200, ats_fixture("lever", "odd.json")),
    }
    names = ["missing", "empty", "garbled", "busy", "stuck", "odd"]
    with api_server(routes) as (origin, requests):
        entries = [
            {
                "name": f"lever-{name}",
                "url": f"https://jobs.eu.lever.co/{name}",
                "endpoint": f"{origin}/v0/postings/{name}?mode=json&limit=2",
            }
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1  # a source failed as a whole
    runs = {name: last_run(db, f"lever-{name}") for name in names}
    # Each source on its own: status and problems counted by kind (a note, no_postings_found, is
    # not an error; a source that failed as a whole has only its failure).
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "busy": ("failed", {"http_429": 1}),
        "stuck": ("partial", {"truncated_listing": 1}),
        "odd": ("complete", {}),
    }
    assert [r.query["skip"] for r in requests if r.path == "/v0/postings/stuck"] == [["0"], ["2"]]  # and no more

    by_source = {}
    for row in query(db, "SELECT * FROM jobs"):
        by_source.setdefault(row["source"], []).append(row)
    assert sorted(by_source) == ["lever-odd", "lever-stuck"]
    assert len(by_source["lever-stuck"]) == 2
    [odd] = by_source["lever-odd"]  # wrong types are coerced or skipped, never fatal
    assert (odd["title"], odd["url"], odd["date_posted"], odd["salary_min"], odd["workplace"]) == (
        "Odd posting",
        "https://jobs.eu.lever.co/odd",
        None,
        None,
        None,
    )


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://jobs.lever.co/brightloop", "https://api.lever.co/v0/postings/brightloop?mode=json"),
        (f"https://jobs.lever.co/brightloop/{ID(1)}", "https://api.lever.co/v0/postings/brightloop?mode=json"),
        ("https://jobs.eu.lever.co/brightloop/", "https://api.eu.lever.co/v0/postings/brightloop?mode=json"),
        ("https://jobs.lever.co/", None),
        ("https://brightloop.example/careers", None),
    ],
)
def test_listing_url_from_site_url(site_url, expected):
    assert listing_url(site_url) == expected


def test_mapper_on_one_posting():
    posting = spider().job_posting(ats_fixture("lever", "page1.json")[2])
    assert (posting.key, posting.external_id) == (ID(3), ID(3))
    assert posting.stated_language is None and posting.translation_key is None
    assert posting.country_hint == "ES"
    assert (posting.workplace_raw, posting.employment_type_raw) == ("remote", "Contract")
    assert [(loc.raw, loc.remote) for loc in posting.locations] == [("Spain", True)]
    assert posting.date_posted_raw == 1740132000000
    assert posting.salary_raw["value"] == {
        "@type": "QuantitativeValue",
        "minValue": 25,
        "maxValue": 32,
        "unitText": "hour",
    }
    assert posting.description_html.count("<h3>Requisitos</h3>") == 1

    multi = spider().job_posting(
        {"id": "m", "text": "Two cities", "categories": {"location": "Denver, CO; Austin, TX"}}
    )
    assert [loc.raw for loc in multi.locations] == ["Denver, CO", "Austin, TX"]
    assert spider().job_posting({"text": "no id"}) is None


def _cassette_postings(path: Path) -> list[dict]:
    """The JSON body of a VCR cassette, whose Ruby `!binary` tag holds it base64-encoded."""
    loader = type("CassetteLoader", (yaml.SafeLoader,), {})
    loader.add_constructor("!binary", lambda load, node: base64.b64decode(load.construct_scalar(node)))
    cassette = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return json.loads(cassette["http_interactions"][0]["response"]["body"]["string"])


def test_mapper_on_the_real_sample():
    cassette = REAL_SAMPLES / "otelic__cassette_postings.yml"
    if not cassette.is_file():
        pytest.skip("real samples are not on this machine")
    postings = [spider().job_posting(job) for job in _cassette_postings(cassette)]
    assert len(postings) == 28 and all(postings)
    assert len({p.key for p in postings}) == 28
    assert all(p.title and p.url.startswith("https://jobs.lever.co/leverdemo/") for p in postings)
    assert sum(1 for p in postings if p.description_html) == 27  # one posting has no text at all
    assert all(p.stated_language is None for p in postings)  # Lever states no language
    assert sum(1 for p in postings if p.locations) == 27  # one posting has a null location
    french = next(p for p in postings if p.title.startswith("Chef, livraison de services"))
    assert [loc.raw for loc in french.locations] == ["Montreal"]
    assert "<h3>Description du poste</h3>" in french.description_html  # the lists are kept
    assert all(isinstance(p.date_posted_raw, int) for p in postings)


def test_an_answer_with_only_plain_text_gives_its_text_and_language(tmp_path, api_server):
    """Some real Lever answers carry `descriptionPlain` / `additionalPlain` and no HTML."""
    job = {
        "id": "0b5f3c1e-plain-4d2a-9f0e-000000000001", "text": "Ingénieur support client",
        "categories": {"location": "Lyon, France", "commitment": "CDI"},
        "descriptionPlain": "Vous accompagnez nos clients industriels au quotidien.\nVous diagnostiquez les pannes "
                            "de nos capteurs, vous formez les équipes sur site et vous remontez leurs besoins à l'équipe produit.",
        "additionalPlain": "Poste basé à Lyon, deux jours de télétravail par semaine.",
        "hostedUrl": "https://jobs.lever.co/capteo/0b5f3c1e-plain-4d2a-9f0e-000000000001",
    }
    posting = spider().job_posting(job)
    assert "<p>Vous accompagnez" in posting.description_html and "télétravail" in posting.description_html
    with api_server({"GET /v0/postings/capteo": (200, [job])}) as (origin, _):
        result, db = crawl_into(
            tmp_path, [{"name": "capteo", "url": "https://jobs.lever.co/capteo", "endpoint": f"{origin}/v0/postings/capteo?mode=json"}],
            "--set", "RETRY_TIMES=0",
        )
    assert result.returncode == 0, result.stderr
    [row] = query(db, "SELECT description, language FROM jobs")
    assert row["language"] == "fr" and row["description"].startswith("Vous accompagnez")
