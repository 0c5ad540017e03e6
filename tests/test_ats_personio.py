"""Personio: the XML feed (one per language) served on 127.0.0.1, crawled by the real `jobatlas
crawl`; the feed parser (safe on hostile XML) and the mapping of one position checked on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SITES, ApiRequest, countries_json, crawl_into, last_run, stored_postings

from crawler.items import RawLocation
from crawler.sources import Source
from crawler.spiders.personio import PersonioSpider, language_versions, read_feed, written_in
from pipelines.location import resolve_location

FIXTURES = SITES / "ats" / "personio"
REAL_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "real-samples" / "personio"
FAST_FAILURES = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")  # no route is slow: roomy for a loaded machine
XML = {"Content-Type": "text/xml; charset=UTF-8"}


def feed(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_language(request: ApiRequest) -> tuple:
    language = request.query.get("language", [""])[0]
    path = FIXTURES / f"feed-{language}.xml"
    # Like Personio, a language without texts of its own is served in the original language.
    return 200, (path if path.exists() else FIXTURES / "feed-de.xml").read_bytes(), XML


def test_site_is_crawled_into_the_store(api_server, tmp_path):
    with api_server({"GET /xml": by_language}) as (origin, requests):
        source = {"name": "nordlicht", "url": "https://nordlicht.jobs.personio.de/", "endpoint": origin + "/xml"}
        result, db = crawl_into(tmp_path, [source])
    assert result.returncode == 0, result.stderr
    feeds = sorted((r.path, r.query["language"][0]) for r in requests if r.path != "/robots.txt")
    assert feeds == [("/xml", "de"), ("/xml", "en")]
    run = last_run(db, "nordlicht")
    assert (run["status"], run["pages"], run["problems"]) == ("complete", 2, {})

    rows = stored_postings(db)
    # 3002 (German) and 3003 (English) are served untranslated in both feeds: one posting each.
    assert set(rows) == {"3001:de", "3001:en", "3002:de", "3003:en", "3004:de", "3004:en"}

    admin_de, admin_en = rows["3001:de"], rows["3001:en"]
    assert admin_de["title"] == "Fachinformatiker Systemintegration (m/w/d)"
    assert admin_en["title"] == "IT Systems Administrator"
    assert admin_de["url"] == "https://nordlicht.jobs.personio.de/job/3001?language=de"
    assert admin_en["url"] == "https://nordlicht.jobs.personio.de/job/3001?language=en"
    assert (admin_de["language"], admin_de["language_method"]) == ("de", "ats")
    assert (admin_en["language"], admin_en["language_method"]) == ("en", "ats")
    assert admin_de["translation_group"] == admin_en["translation_group"]
    assert (admin_de["company"], admin_de["department"], admin_de["ats"]) == ("Nordlicht Logistik GmbH", "IT", "personio")
    assert (admin_de["employment_type"], admin_de["workplace"]) == ("FULL_TIME", "onsite")
    assert (admin_de["salary_min"], admin_de["salary_max"], admin_de["salary_currency"], admin_de["salary_period"]) == (52000, 64000, "EUR", "YEAR")
    assert admin_de["date_posted"] == "2026-08-20T09:00:00+00:00"
    assert admin_en["description"] == (
        "Your tasks\nYou look after the servers and networks at our sites in Berlin and Munich.\n"
        "You set up workplaces and help your colleagues with their questions.\n"
        "Your profile\nCompleted training as an IT specialist and a liking for well documented systems."
    )
    assert [(loc["city"], loc["country_code"]) for loc in admin_de["locations"]] == [("Berlin", "DE"), ("München", "DE")]

    helper = rows["3002:de"]
    assert (helper["language"], helper["language_method"]) == ("de", "detected")
    assert helper["url"] == "https://nordlicht.jobs.personio.de/job/3002"
    assert helper["employment_type"] == "TEMPORARY"
    assert [(loc["city"], loc["country_code"]) for loc in helper["locations"]] == [("Hamburg", "DE")]

    engineer = rows["3003:en"]
    assert (engineer["language_method"], engineer["company"]) == ("detected", "Nordlicht Logistik Austria GmbH")
    assert [(loc["city"], loc["country_code"]) for loc in engineer["locations"]] == [("Wien", "AT")]

    student_de, student_en = rows["3004:de"], rows["3004:en"]
    assert student_de["translation_group"] == student_en["translation_group"] != admin_de["translation_group"]
    assert (student_en["workplace"], student_en["employment_type"]) == ("remote", "PART_TIME")
    assert [loc["country_code"] for loc in student_en["locations"]] == [None]

    groups = [row["translation_group"] for row in rows.values()]
    assert groups.count(helper["translation_group"]) == groups.count(engineer["translation_group"]) == 1

    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("DE", 2)]
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("AT", 1), ("DE", 1)]


def test_bad_feeds_are_reported_and_the_others_still_crawled(api_server, tmp_path):
    whole = feed("feed-de.xml")
    cut = whole[: whole.index(b"<id>3003</id>") + 40]  # ends inside the third position
    routes = {
        "GET /empty/xml": (200, '<?xml version="1.0" encoding="UTF-8"?>\n<workzag-jobs>\n</workzag-jobs>\n', XML),
        "GET /garbled/xml": (200, "<html><body><h1>Diese Karriereseite existiert nicht</h1></body></html>", {"Content-Type": "text/html"}),
        "GET /busy/xml": (429, "Too Many Requests"),
        "GET /cut/xml": (200, cut, XML),
        "GET /unsafe/xml": (200, feed("feed-unsafe.xml"), XML),
    }
    names = ["missing", "empty", "garbled", "busy", "cut", "unsafe"]
    with api_server(routes) as (origin, _):
        entries = [{"name": name, "url": f"https://{name}.jobs.personio.de/", "endpoint": f"{origin}/{name}/xml"} for name in names]
        result, db = crawl_into(tmp_path, entries, *FAST_FAILURES)

    assert result.returncode == 1  # some sources failed as a whole
    runs = {name: last_run(db, name) for name in names}
    assert runs["missing"]["status"] == "failed" and runs["missing"]["problems"]["http_404"] == 2  # de and en
    assert runs["empty"]["status"] == "complete" and runs["empty"]["errors"] == 0 and runs["empty"]["postings_seen"] == 0
    assert runs["garbled"]["problems"]["bad_xml"] == 2
    assert runs["busy"]["problems"]["http_429"] == 2
    assert runs["cut"]["problems"] == {"truncated_listing": 2}
    assert runs["cut"]["status"] == "partial" and runs["cut"]["postings_seen"] == 2  # the two whole positions
    assert runs["unsafe"]["status"] == "complete" and runs["unsafe"]["postings_seen"] == 1

    [cook] = [row for row in stored_postings(db).values() if row["source"] == "unsafe"]
    assert cook["title"] == "Koch (m/w/d)"  # declared entities are not expanded, the file is not read
    assert "HAHA" not in cook["description"] and "Du kochst jeden Mittag" in cook["description"]
    assert "&" in cook["description"]  # the predefined &amp; still is a character


# -- without a crawl ---------------------------------------------------------------------------


def spider(url: str = "https://nordlicht.jobs.personio.de/") -> PersonioSpider:
    return PersonioSpider(source=Source(name="nordlicht", url=url))


def positions(name: str) -> dict[str, dict]:
    return {position["id"]: position for position in read_feed(feed(name)).positions}


def test_feed_is_read_without_expanding_anything():
    parsed = read_feed(feed("feed-unsafe.xml"))
    assert parsed.problem is None
    [position] = parsed.positions
    assert position["name"] == "Koch (m/w/d)"
    [(section, value)] = position["jobDescriptions"]
    assert section == "Deine Aufgaben" and "HAHA" not in value and value.endswith("planst die Woche.")


def test_unreadable_and_truncated_feeds():
    whole = feed("feed-de.xml")
    cut = read_feed(whole[: whole.index(b"<id>3003</id>")])
    assert cut.problem[0] == "truncated_listing" and [p["id"] for p in cut.positions] == ["3001", "3002"]
    assert read_feed(b"<html><body>Not found</body></html>").problem[0] == "bad_xml"
    assert read_feed(b"{\"jobs\": []}").problem[0] == "bad_xml"
    assert read_feed(b"").problem[0] == "bad_xml"
    broken = read_feed(b"<workzag-jobs><position><id>1</id></positon></workzag-jobs>")
    assert broken.problem[0] == "bad_xml" and broken.positions == []
    # A fault on an earlier line than the last is a broken feed, not a cut one.
    assert read_feed(b"<workzag-jobs>\n<position><id>1 & 2</id></position>\n</workzag-jobs>\n").problem[0] == "bad_xml"
    assert read_feed(b"<workzag-jobs/>").problem is None


def test_identical_texts_in_two_feeds_are_one_version():
    german, english = positions("feed-de.xml"), positions("feed-en.xml")
    assert [languages for languages, _ in language_versions({"de": german["3002"], "en": english["3002"]})] == [["de", "en"]]
    versions = language_versions({"de": german["3001"], "en": english["3001"]})
    assert [(languages, position["name"]) for languages, position in versions] == [
        (["de"], "Fachinformatiker Systemintegration (m/w/d)"),
        (["en"], "IT Systems Administrator"),
    ]


def test_mapping_of_one_position():
    german, english = positions("feed-de.xml"), positions("feed-en.xml")
    de, en = spider().job_postings({"de": german["3001"], "en": english["3001"]})
    assert (de.key, en.key) == ("3001:de", "3001:en")
    assert de.translation_key == en.translation_key == "position:3001"
    assert (de.stated_language, en.stated_language) == ("de", "en")
    assert de.external_id == "3001" and de.company == "Nordlicht Logistik GmbH"
    assert [loc.raw for loc in de.locations] == ["Berlin", "München"]
    assert de.country_hint == "DE"
    assert de.employment_type_raw == ["full-time", "permanent"]
    assert de.salary_raw["value"] == {"@type": "QuantitativeValue", "minValue": "52000.00", "maxValue": "64000.00", "unitText": "yearly"}
    assert de.description_html.startswith("<h3>Deine Aufgaben</h3>\n<ul><li>Du betreust")

    [helper] = spider("https://nordlicht.jobs.personio.com/").job_postings({"de": german["3002"], "en": english["3002"]})
    assert (helper.key, helper.stated_language, helper.translation_key, helper.country_hint) == ("3002", None, None, None)
    assert helper.employment_type_raw == ["temporary", "part-time"]
    assert helper.url == "https://nordlicht.jobs.personio.com/job/3002"


def test_a_version_not_in_its_feeds_language_states_none():
    english = positions("feed-en.xml")["3003"]
    assert written_in(english, "en") and not written_in(english, "de")
    [posting] = spider().job_postings({"de": english})  # only the German feed answered, in English
    assert posting.stated_language is None


def test_languages_asked_for():
    assert spider().languages == ["de", "en"]
    assert spider("https://nordlicht.jobs.personio.de/?language=fr").languages == ["fr", "de", "en"]
    assert spider("https://nordlicht.jobs.personio.de/?language=en").languages == ["en", "de"]


def test_real_samples_map_to_sensible_postings():
    if not REAL_SAMPLES.is_dir():
        pytest.skip("real samples are not on this machine")
    board = spider("https://demo.jobs.personio.de/")
    for path in sorted(REAL_SAMPLES.glob("*.xml")):
        parsed = read_feed(path.read_bytes())
        assert parsed.problem is None and parsed.positions, path.name
        # As if the English feed alone had answered: English texts are stated, lorem ipsum is not.
        postings = [posting for position in parsed.positions for posting in board.job_postings({"en": position})]
        assert len({p.key for p in postings}) == len(postings) == len(parsed.positions)
        assert all(p.title and p.description_html for p in postings)
        for posting in postings:
            lorem = "Lorem ipsum" in posting.description_html
            assert posting.stated_language == (None if lorem else "en"), posting.title
            for location in posting.locations:
                place = resolve_location(RawLocation(raw=location.raw), posting.country_hint)
                assert place["remote"] or place["country_code"] in {"GB", "NL"}, location.raw
        # Served the same in German and English, nothing is stated and nothing is twinned.
        doubled = [p for position in parsed.positions for p in board.job_postings({"de": position, "en": position})]
        assert all(p.stated_language is None and p.translation_key is None for p in doubled)
