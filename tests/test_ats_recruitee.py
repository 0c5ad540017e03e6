"""Recruitee: the careers site offers API served on 127.0.0.1, crawled by the real `jobatlas
crawl`, and the mapping of one offer (one posting per language) checked on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.recruitee import RecruiteeSpider, listing_url

FIXTURES = SITES / "ats" / "recruitee"
REAL_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "real-samples" / "recruitee"
FAST_FAILURES = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")  # no route is slow: roomy for a loaded machine


def test_site_is_crawled_into_the_store(api_server, tmp_path):
    with api_server({"GET /api/offers/": (200, ats_fixture("recruitee", "offers.json"))}) as (origin, requests):
        source = {"name": "trapkracht", "url": "https://trapkracht.recruitee.com/", "endpoint": origin + "/api/offers/"}
        result, db = crawl_into(tmp_path, [source])
    assert result.returncode == 0, result.stderr
    assert [(r.method, r.path) for r in requests if r.path != "/robots.txt"] == [("GET", "/api/offers/")]
    run = last_run(db, "trapkracht")
    assert (run["status"], run["pages"], run["problems"]) == ("complete", 1, {})

    rows = stored_postings(db)
    # 910502's English translation has no title (not published in English); 910504 has no
    # translations, so its language comes from its text.
    assert set(rows) == {"910501:en", "910501:nl", "910502:es", "910503:en", "910503:de", "910503:fr", "910504:fr"}

    backend = rows["910501:en"]
    assert backend["title"] == "Backend Developer"
    assert backend["ats"] == "recruitee"
    assert backend["url"] == "https://trapkracht.recruitee.com/o/backend-developer"
    assert backend["apply_url"] == "https://trapkracht.recruitee.com/o/backend-developer/c/new"
    assert (backend["company"], backend["department"]) == ("Trapkracht B.V.", "Engineering")
    assert (backend["language"], backend["language_method"]) == ("en", "ats")
    assert (backend["workplace"], backend["employment_type"]) == ("hybrid", "FULL_TIME")
    assert (backend["salary_min"], backend["salary_max"], backend["salary_currency"], backend["salary_period"]) == (4500, 6000, "EUR", "MONTH")
    assert backend["date_posted"] == "2026-09-02T09:30:00+00:00"
    assert backend["description"] == (
        "You build the services that plan thousands of bike deliveries every day across the Netherlands.\n"
        "Three years of experience with Elixir or Python\nYou enjoy working closely with our dispatch team"
    )
    assert [(loc["city"], loc["country_code"]) for loc in backend["locations"]] == [("Amsterdam", "NL"), ("Rotterdam", "NL")]

    dutch = rows["910501:nl"]
    assert (dutch["title"], dutch["language"], dutch["language_method"]) == ("Backend-ontwikkelaar", "nl", "ats")
    assert "fietsleveringen" in dutch["description"] and "<" not in dutch["description"]
    assert dutch["translation_group"] == backend["translation_group"]
    assert dutch["url"] == backend["url"]

    shop = rows["910502:es"]
    assert (shop["title"], shop["workplace"], shop["employment_type"]) == ("Vendedor/a de tienda", "onsite", "PART_TIME")
    assert shop["description"].startswith("Atiendes a los clientes")  # the offer's own texts are Spanish
    assert shop["salary_min"] is None

    analysts = [rows[f"910503:{lang}"] for lang in ("en", "de", "fr")]
    assert [row["title"] for row in analysts] == ["Data Analyst", "Datenanalyst (m/w/d)", "Analyste de données"]
    assert len({row["translation_group"] for row in analysts}) == 1
    assert analysts[0]["description"].startswith("You turn our delivery data")  # primary language: the offer's texts
    for row in analysts:
        assert (row["workplace"], row["employment_type"], row["salary_period"]) == ("remote", "FULL_TIME", "YEAR")
        assert [(loc["country_code"], loc["city"]) for loc in row["locations"]] == [("DE", None)]

    internship = rows["910504:fr"]
    assert (internship["language_method"], internship["employment_type"], internship["workplace"]) == ("detected", "INTERN", "onsite")
    assert internship["date_posted"] == "2026-09-08T16:20:00+00:00"
    assert [(loc["city"], loc["country_code"]) for loc in internship["locations"]] == [("Lyon", "FR")]
    groups = [row["translation_group"] for row in rows.values()]
    assert groups.count(internship["translation_group"]) == groups.count(shop["translation_group"]) == 1

    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "fr")] == [("DE", 1), ("FR", 1)]
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("DE", 1), ("NL", 1)]


def test_bad_sites_are_reported_and_the_others_still_crawled(api_server, tmp_path):
    odd_offer = {  # wrong types everywhere: kept, coerced, never a crash
        "id": "910599", "title": 2026, "translations": [], "locations": None, "salary": "competitive",
        "remote": "yes", "employment_type_code": 7, "published_at": {"date": "soon"}, "careers_url": None,
    }
    cut_json = json.dumps(ats_fixture("recruitee", "offers.json"))[:900]
    routes = {
        "GET /empty/api/offers/": (200, {"offers": []}),
        "GET /cut/api/offers/": (200, cut_json, {"Content-Type": "application/json"}),
        "GET /busy/api/offers/": (429, {"error": "rate limited"}),
        "GET /shape/api/offers/": (200, {"offers": {"id": 1}}),
        "GET /odd/api/offers/": (200, {"offers": [odd_offer, "not an offer", None]}),
    }
    names = ["missing", "empty", "cut", "busy", "shape", "odd"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": name, "url": f"https://{name}.recruitee.com/", "endpoint": f"{origin}/{name}/api/offers/"} for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *FAST_FAILURES)

    assert result.returncode == 1  # some sources failed as a whole
    runs = {name: last_run(db, name) for name in names}
    assert runs["missing"]["status"] == "failed" and runs["missing"]["problems"]["http_404"] == 1
    assert runs["empty"]["status"] == "complete" and runs["empty"]["errors"] == 0 and runs["empty"]["postings_seen"] == 0
    assert runs["cut"]["problems"]["bad_json"] == 1  # no total to compare with: a cut body is unreadable JSON
    assert runs["busy"]["problems"]["http_429"] == 1
    assert runs["shape"]["problems"]["bad_json"] == 1
    assert runs["odd"]["status"] == "complete" and runs["odd"]["postings_seen"] == 1

    [odd] = stored_postings(db).values()
    assert (odd["title"], odd["url"], odd["language"], odd["workplace"]) == ("2026", "https://odd.recruitee.com/", None, None)
    assert odd["locations"] == [] and odd["salary_min"] is None and odd["date_posted"] is None


# -- without a crawl ---------------------------------------------------------------------------


def spider() -> RecruiteeSpider:
    return RecruiteeSpider(source=Source(name="trapkracht", url="https://trapkracht.recruitee.com/"))


def test_listing_url_from_site_urls():
    assert listing_url("https://trapkracht.recruitee.com/") == "https://trapkracht.recruitee.com/api/offers/"
    assert listing_url("https://trapkracht.recruitee.com/o/data-analyst") == "https://trapkracht.recruitee.com/api/offers/"
    assert listing_url("https://careers.trapkracht.nl/") == "https://careers.trapkracht.nl/api/offers/"  # own domain


def test_one_posting_per_published_language():
    offer = ats_fixture("recruitee", "offers.json")["offers"][2]
    postings = {p.key: p for p in spider().job_postings(offer)}
    assert set(postings) == {"910503:en", "910503:de", "910503:fr"}
    german = postings["910503:de"]
    assert (german.title, german.stated_language, german.translation_key) == ("Datenanalyst (m/w/d)", "de", "offer:910503")
    assert german.description_html.startswith("<p>Du machst") and "Statistikkurse" in german.description_html
    assert german.external_id == "910503" and german.company == "Trapkracht B.V."
    assert german.workplace_raw == "remote" and german.employment_type_raw == ["fulltime", "fixed", "term"]
    assert german.salary_raw["value"] == {"@type": "QuantitativeValue", "minValue": 52000, "maxValue": 60000, "unitText": "year"}
    [place] = german.locations
    assert (place.city, place.country, place.remote) == (None, "DE", True)


def test_an_offer_without_translations_is_one_posting_of_unstated_language():
    [posting] = spider().job_postings(ats_fixture("recruitee", "offers.json")["offers"][3])
    assert (posting.key, posting.stated_language, posting.translation_key) == ("910504", None, None)
    assert posting.url == "https://trapkracht.recruitee.com/o/stage-logistique-lyon"
    [place] = posting.locations
    assert (place.city, place.region, place.country, place.remote) == ("Lyon", "Auvergne-Rhône-Alpes", "FR", False)
    assert spider().job_postings({"title": "No id"}) == []


def test_real_sample_maps_to_sensible_postings():
    if not REAL_SAMPLES.is_dir():
        pytest.skip("real samples are not on this machine")
    [path] = REAL_SAMPLES.glob("*.json")
    records = json.loads(path.read_text(encoding="utf-8"))
    board = RecruiteeSpider(source=Source(name="greatminds", url="https://greatminds.recruitee.com/"))
    postings = [posting for record in records for posting in board.job_postings(record["raw_data"])]
    assert len(postings) == len(records)  # English only: one posting per offer
    assert len({p.key for p in postings}) == len(postings)
    assert all(p.title and p.description_html and p.url.startswith("https://greatminds.recruitee.com/o/") for p in postings)
    assert {p.stated_language for p in postings} == {"en"}
    assert all(p.translation_key is None for p in postings)
    assert all(p.locations and {loc.country for loc in p.locations} == {"US"} for p in postings)
    assert {p.workplace_raw for p in postings} == {"remote"}
    assert all(p.date_posted_raw.endswith(" UTC") for p in postings)
