"""SmartRecruiters: the Posting API (listing pages + one detail per posting) served on 127.0.0.1,
crawled by the real `jobatlas crawl`, and the mapping of one posting checked on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SITES, ApiRequest, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.smartrecruiters import SmartRecruitersSpider, company_identifier, listing_url, translation_keys

FIXTURES = SITES / "ats" / "smartrecruiters"
REAL_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "real-samples" / "smartrecruiters"
FAST_FAILURES = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")  # no route is slow: roomy for a loaded machine
LISTING = "/v1/companies/NordhafenLogistik/postings"


def listing_page(request: ApiRequest) -> tuple:
    """The board pages by 3, whatever `limit` was asked (as a capped mirror would)."""
    return 200, ats_fixture("smartrecruiters", f"postings-offset-{request.query['offset'][0]}.json")


def board_routes(prefix: str = LISTING) -> dict:
    routes = {f"GET {prefix}": listing_page}
    for path in FIXTURES.glob("posting-7440001*.json"):
        routes[f"GET {prefix}/{path.stem.removeprefix('posting-')}"] = (200, ats_fixture("smartrecruiters", path.name))
    return routes


def test_board_is_crawled_into_the_store(api_server, tmp_path):
    with api_server(board_routes()) as (origin, requests):
        source = {"name": "nordhafen", "url": "https://careers.smartrecruiters.com/NordhafenLogistik", "endpoint": origin + LISTING}
        result, db = crawl_into(tmp_path, [source])
    assert result.returncode == 0, result.stderr

    # Requests: two listing pages (the mirror pages by 3), then one detail per posting.
    listing = [r for r in requests if r.path == LISTING]
    assert [(r.query["offset"], r.query["limit"]) for r in listing] == [(["0"], ["100"]), (["3"], ["100"])]
    details = sorted(r.path.rsplit("/", 1)[1] for r in requests if r.path.startswith(LISTING + "/"))
    assert details == [f"74400010000000{n}" for n in range(1, 7)]
    run = last_run(db, "nordhafen")
    assert (run["status"], run["pages"], run["problems"]) == ("complete", 8, {})

    rows = stored_postings(db)
    assert set(rows) == {
        "744000100000001:de", "744000100000002:en", "744000100000003:fr",
        "744000100000004:en", "744000100000005:en", "744000100000006:es",
    }
    lagerist = rows["744000100000001:de"]
    assert lagerist["title"] == "Lagerist (m/w/d)"
    assert lagerist["ats"] == "smartrecruiters"
    assert lagerist["url"] == "https://jobs.smartrecruiters.com/NordhafenLogistik/744000100000001-lagerist-m-w-d-"
    assert lagerist["apply_url"].endswith("744000100000001-lagerist-m-w-d-?oga=true")
    assert lagerist["company"] == "Nordhafen Logistik GmbH"
    assert lagerist["department"] == "Logistik"
    assert (lagerist["language"], lagerist["language_method"]) == ("de", "ats")
    assert lagerist["employment_type"] == "FULL_TIME"
    assert lagerist["workplace"] == "onsite"
    assert lagerist["date_posted"] == "2026-09-01T08:00:00+00:00"
    assert lagerist["salary_min"] is None and lagerist["salary_currency"] is None  # the Posting API states no pay
    description = lagerist["description"]
    assert "<" not in description
    assert description.index("Wir bewegen") < description.index("Du nimmst") < description.index("Staplerschein") < description.index("Deutschlandticket")
    assert [(loc["city"], loc["country_code"]) for loc in lagerist["locations"]] == [("Hamburg", "DE")]

    lyon = rows["744000100000003:fr"]
    assert (lyon["language"], lyon["workplace"], lyon["company"]) == ("fr", "hybrid", "Nordhafen Logistique SAS")
    assert (lyon["locations"][0]["city"], lyon["locations"][0]["country_code"]) == ("Lyon", "FR")
    assert lyon["locations"][0]["latitude"] == pytest.approx(45.764)

    lisbon = rows["744000100000004:en"]
    assert (lisbon["workplace"], lisbon["employment_type"]) == ("remote", "PART_TIME")
    assert [(loc["city"], loc["country_code"]) for loc in lisbon["locations"]] == [("Lisbon", "PT")]

    group = {key: row["translation_group"] for key, row in rows.items()}
    # REF-100: one job in German and English. REF-300: one job in Lisbon and Madrid (both
    # English), and Madrid's Spanish version of it.
    assert group["744000100000001:de"] == group["744000100000002:en"]
    assert group["744000100000005:en"] == group["744000100000006:es"]
    singles = ("744000100000001:de", "744000100000003:fr", "744000100000004:en", "744000100000005:en")
    assert len({group[key] for key in singles}) == 4

    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("DE", 1), ("ES", 1), ("PT", 1)]
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("DE", 1)]


def test_bad_boards_are_reported_and_the_others_still_crawled(api_server, tmp_path):
    truncated = ats_fixture("smartrecruiters", "postings-truncated.json")
    routes = {
        "GET /v1/companies/Empty/postings": (200, ats_fixture("smartrecruiters", "postings-empty.json")),
        "GET /v1/companies/Garbled/postings": (200, '{"offset": 0, "content": [', {"Content-Type": "application/json"}),
        "GET /v1/companies/Busy/postings": (429, {"message": "Too Many Requests"}, {"Retry-After": "1"}),
        "GET /v1/companies/Cut/postings": (200, truncated),
        # A detail with wrong types everywhere: kept, coerced, never a crash.
        "GET /v1/companies/Cut/postings/744000900000001": (200, {"jobAd": None, "location": "Rotterdam", "name": "Forklift Driver"}),
        "GET /v1/companies/Cut/postings/744000900000002": (200, {"jobAd": {"sections": {"jobDescription": {"text": 42}}}}),
    }
    routes.update(board_routes("/v1/companies/NordhafenLogistik/postings"))
    names = ["Missing", "Empty", "Garbled", "Busy", "Cut", "NordhafenLogistik"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": name.lower(), "url": f"https://jobs.smartrecruiters.com/{name}", "endpoint": f"{origin}/v1/companies/{name}/postings"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *FAST_FAILURES)

    assert result.returncode == 1  # some sources failed as a whole
    runs = {name.lower(): last_run(db, name.lower()) for name in names}
    assert runs["missing"]["status"] == "failed" and runs["missing"]["problems"] == {"http_404": 1}
    assert runs["empty"]["status"] == "complete" and runs["empty"]["errors"] == 0
    assert runs["empty"]["postings_seen"] == 0
    assert runs["garbled"]["problems"]["bad_json"] == 1
    assert runs["busy"]["problems"]["http_429"] == 1
    assert runs["cut"]["problems"] == {"truncated_listing": 1}
    assert runs["cut"]["status"] == "partial" and runs["cut"]["postings_seen"] == 2
    assert runs["nordhafenlogistik"]["status"] == "complete" and runs["nordhafenlogistik"]["postings_seen"] == 6

    rows = stored_postings(db)
    forklift = next(row for row in rows.values() if row["external_id"] == "744000900000001")
    assert forklift["title"] == "Forklift Driver" and forklift["locations"] == [] and forklift["description"] is None
    assert forklift["translation_group"] != next(r for r in rows.values() if r["external_id"] == "744000900000002")["translation_group"]


# -- without a crawl ---------------------------------------------------------------------------


def spider(url: str = "https://careers.smartrecruiters.com/NordhafenLogistik") -> SmartRecruitersSpider:
    return SmartRecruitersSpider(source=Source(name="nordhafen", url=url))


def test_company_identifier_from_board_urls():
    assert company_identifier("https://careers.smartrecruiters.com/NordhafenLogistik") == "NordhafenLogistik"
    assert company_identifier("https://jobs.smartrecruiters.com/NordhafenLogistik/744000100000001-lagerist") == "NordhafenLogistik"
    assert company_identifier("https://www.smartrecruiters.com/NordhafenLogistik") is None
    assert company_identifier("https://careers.smartrecruiters.com/") is None
    assert listing_url("https://careers.smartrecruiters.com/Acme/") == "https://api.smartrecruiters.com/v1/companies/Acme/postings"


def test_mapping_of_one_posting():
    summary = ats_fixture("smartrecruiters", "postings-offset-0.json")["content"][2]
    job = {**summary, **ats_fixture("smartrecruiters", "posting-744000100000003.json")}
    posting = spider().job_posting(job, "ref:REF-200")
    assert posting.key == posting.external_id == "744000100000003"
    assert posting.title == "Ingénieur logiciel backend (H/F)"
    assert posting.company == "Nordhafen Logistique SAS"
    assert posting.department == "Tech"
    assert posting.stated_language == "fr"
    assert posting.translation_key == "ref:REF-200"
    assert posting.employment_type_raw == ["Full-time", "permanent"]
    assert posting.workplace_raw == "hybrid"
    assert posting.date_posted_raw == "2026-09-03T10:15:00.000Z"
    assert posting.description_html.startswith("<h3>Description du poste</h3>")
    [location] = posting.locations
    assert (location.city, location.region, location.country) == ("Lyon", "Auvergne-Rhône-Alpes", "FR")
    assert (location.latitude, location.longitude, location.remote) == (45.764, 4.8357, False)


def test_mapping_survives_wrong_types():
    posting = spider().job_posting({"id": 12, "name": ["Driver"], "location": [], "language": "en", "jobAd": {"sections": []}, "company": 7})
    assert posting.key == "12" and posting.title == "Driver"
    assert posting.locations == [] and posting.description_html is None and posting.stated_language is None
    assert posting.company == "7" and posting.url == "https://jobs.smartrecruiters.com/NordhafenLogistik/12"
    assert spider().job_posting({"name": "No id"}) is None


def test_translation_keys_need_one_posting_per_language():
    def summary(ref, language, city="Hamburg"):
        return {"refNumber": ref, "language": {"code": language}, "location": {"city": city, "country": "de"}}

    keys = translation_keys({
        "1": summary("A", "de"), "2": summary("A", "en"),  # a job in two languages
        "3": summary("B", "en", "Berlin"), "4": summary("B", "en", "Munich"),  # one job, two places
        "5": summary("C", "en", "Berlin"), "6": summary("C", "en", "Munich"), "7": summary("C", "de", "Munich"),
        "8": summary("D", "en"),
        "9": {"refNumber": "E", "language": None}, "10": {"refNumber": "E", "language": {"code": "en"}},
    })
    assert keys == {"1": "ref:A", "2": "ref:A", "6": "ref:C@munich,,de", "7": "ref:C@munich,,de"}


def test_real_sample_maps_to_sensible_postings():
    if not REAL_SAMPLES.is_dir():
        pytest.skip("real samples are not on this machine")
    [path] = REAL_SAMPLES.glob("*.json")
    listing = json.loads(path.read_text(encoding="utf-8"))
    listed = {summary["id"]: summary for summary in listing["content"]}
    keys = translation_keys(listed)
    board = spider("https://careers.smartrecruiters.com/ABOUTYOUGmbH")
    postings = [board.job_posting(summary, keys.get(posting_id)) for posting_id, summary in listed.items()]
    assert len({p.key for p in postings}) == len(postings) == listing["totalFound"]
    assert all(p.title and p.company == "ABOUT YOU SE & Co. KG" for p in postings)
    assert all(p.locations[0].country == "DE" and p.locations[0].city == "Hamburg" for p in postings)
    assert [p.stated_language for p in postings] == ["de", "en", "en"]
    # The internship is published in German and in English under one refNumber; the engineer once.
    assert postings[0].translation_key == postings[1].translation_key is not None
    assert postings[2].translation_key is None
    assert [p.workplace_raw for p in postings] == ["hybrid", "hybrid", "remote"]
