"""Teamtailor career sites: the keyless RSS feed (and a v1 JSON:API mirror) served on 127.0.0.1
from fixtures in their real shapes, crawled by the real `jobatlas crawl`; the mappers on single
job dicts; the real v1 sample when present."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.teamtailor import TeamtailorSpider, feed_locale, feed_url

FIXTURES = SITES / "ats" / "teamtailor"
REAL_SAMPLES = Path(__file__).parents[2] / "shared" / "real-samples" / "teamtailor"
FAST = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")  # no route is slow: roomy for a loaded machine
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(name: str) -> tuple:
    return (200, (FIXTURES / name).read_text(encoding="utf-8"), RSS)


def spider(url: str = "https://nordvik.teamtailor.com/jobs") -> TeamtailorSpider:
    return TeamtailorSpider(source=Source(name="nordvik", url=url))


# -- end to end ---------------------------------------------------------------------------------


def test_career_site_is_crawled_field_by_field(api_server, tmp_path):
    pages = {"0": "feed-1.rss", "3": "feed-2.rss", "6": "feed-3.rss"}
    routes = {
        "GET /jobs.rss": lambda request: rss(pages[request.query["offset"][0]]),
        "GET /de/jobs.rss": rss("feed-de.rss"),
    }
    with api_server(routes) as (origin, requests):
        # No `kind`: detected from the career site URL. The endpoint's `per_page` sets the page size.
        result, db = crawl_into(
            tmp_path,
            [
                {"name": "nordvik", "url": "https://nordvik.teamtailor.com/jobs", "endpoint": f"{origin}/jobs.rss?per_page=3"},
                {"name": "nordvik-de", "url": "https://nordvik.teamtailor.com/de/jobs", "endpoint": f"{origin}/de/jobs.rss"},
            ],
            *FAST,
        )
    assert result.returncode == 0, result.stderr
    feed_calls = [(r.path, r.query) for r in requests if r.path != "/robots.txt"]
    assert sorted(feed_calls, key=lambda call: (call[0], int(call[1]["offset"][0]))) == [
        ("/de/jobs.rss", {"offset": ["0"], "per_page": ["100"]}),
        ("/jobs.rss", {"offset": ["0"], "per_page": ["3"]}),
        ("/jobs.rss", {"offset": ["3"], "per_page": ["3"]}),
        ("/jobs.rss", {"offset": ["6"], "per_page": ["3"]}),  # a short page: the last
    ]

    rows = stored_postings(db)
    assert set(rows) == {
        "7311001:sv", "7311002:en", "7311003:sv", "7311004:en", "7311005:de", "7311006:sv", "7311007:fi", "7311008:de",
    }
    assert {row["ats"] for row in rows.values()} == {"teamtailor"}
    assert {row["company"] for row in rows.values()} == {"Nordvik Energi AB"}  # the channel's title

    backend = rows["7311001:sv"]
    assert backend["title"] == "Backendutvecklare"
    assert backend["url"] == "https://nordvik.teamtailor.com/jobs/7311001-backendutvecklare"
    assert (backend["department"], backend["workplace"], backend["employment_type"]) == ("Teknik", "hybrid", None)
    assert backend["date_posted"] == "2026-09-14T07:30:00+00:00"  # RFC 822 in the feed
    assert (backend["language"], backend["language_method"]) == ("sv", "detected")
    assert [(loc["raw"], loc["city"], loc["country_code"]) for loc in backend["locations"]] == [("Stockholm HQ", "Stockholm", "SE")]
    assert backend["description"].startswith("Vi bygger tjänsterna som styr")
    assert backend["description"].endswith("Flexibla arbetstider\nFriskvårdsbidrag")
    assert "<li>Friskvårdsbidrag</li>" in backend["description_html"]

    designer = rows["7311002:en"]  # CDATA description; two offices; remote status not set
    assert designer["workplace"] == "onsite"
    assert [(loc["city"], loc["country_code"]) for loc in designer["locations"]] == [("Stockholm", "SE"), ("Oslo", "NO")]
    assert designer["description"].startswith("You will shape the app")

    support = rows["7311003:sv"]
    assert support["workplace"] == "remote"
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in support["locations"]] == [(None, "SE", 1)]
    assert [(loc["country_code"], loc["remote"]) for loc in rows["7311004:en"]["locations"]] == [("FI", 1)]
    assert rows["7311005:de"]["workplace"] == "hybrid"  # "temporary": remote for now
    assert rows["7311006:sv"]["workplace"] == "onsite"
    assert [(loc["city"], loc["country_code"]) for loc in rows["7311006:sv"]["locations"]] == [("Göteborg", "SE")]
    assert rows["7311007:fi"]["title"] == "Myyntipäällikkö"

    # The /de feed: its one ad is too short to detect, and the feed's locale says German.
    helper = rows["7311008:de"]
    assert (helper["source"], helper["language"], helper["language_method"]) == ("nordvik-de", "de", "declared")
    assert [(loc["city"], loc["country_code"]) for loc in helper["locations"]] == [("Hamburg", "DE")]

    assert {source: last_run(db, source)["status"] for source in ("nordvik", "nordvik-de")} == {"nordvik": "complete", "nordvik-de": "complete"}
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "sv")] == [("SE", 3)]
    assert [(r["country_code"], r["country"], r["jobs"]) for r in countries_json(db, "de")] == [("DE", "Germany", 2)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    def api_page(request):
        page = "api-page-2.json" if request.query.get("page[number]") == ["2"] else "api-page-1.json"
        return (200, ats_fixture("teamtailor", page))

    routes = {
        "GET /empty/jobs.rss": (200, '<?xml version="1.0"?><rss version="2.0"><channel><title>Empty AB</title></channel></rss>', RSS),
        "GET /garbled/jobs.rss": rss("garbled.rss"),
        "GET /html/jobs.rss": (200, "<html><body>Sign in</body></html>", {"Content-Type": "text/html"}),
        "GET /busy/jobs.rss": (429, "Too Many Requests"),
        # A feed that ignores `offset`: every page is the first.
        "GET /stuck/jobs.rss": (200, (FIXTURES / "feed-1.rss").read_text(encoding="utf-8"), RSS),
        "GET /odd/jobs.rss": rss("odd.rss"),
        "GET /v1/jobs": api_page,
        "GET /garbled-api/v1/jobs": (200, '{"data": [{"id": "1"', {"Content-Type": "application/vnd.api+json"}),
    }
    feeds = {name: f"/{name}/jobs.rss" for name in ("missing", "empty", "garbled", "html", "busy", "odd")}
    feeds.update({"stuck": "/stuck/jobs.rss?per_page=3", "api": "/v1/jobs", "garbled-api": "/garbled-api/v1/jobs"})
    with api_server(routes) as (origin, requests):
        entries = [
            {"name": f"tt-{name}", "url": f"https://{name}.teamtailor.com/jobs", "endpoint": origin + path}
            for name, path in feeds.items()
        ]
        result, db = crawl_into(tmp_path, entries, *FAST)

    assert result.returncode == 1  # a source failed as a whole
    runs = {name: last_run(db, f"tt-{name}") for name in feeds}
    assert {name: run["status"] for name, run in runs.items()} == {
        "missing": "failed", "empty": "complete", "garbled": "failed", "html": "failed", "busy": "failed",
        "odd": "partial", "stuck": "partial", "api": "partial", "garbled-api": "failed",
    }
    assert runs["missing"]["problems"] == {"http_404": 1}
    assert (runs["empty"]["problems"], runs["empty"]["errors"]) == ({"no_postings_found": 1}, 0)
    assert runs["garbled"]["problems"] == {"bad_xml": 1}
    assert runs["html"]["problems"] == {"bad_xml": 1}
    assert runs["busy"]["problems"] == {"http_429": 1}
    assert runs["garbled-api"]["problems"] == {"bad_json": 1}
    assert runs["stuck"]["problems"] == {"truncated_listing": 1}
    assert [r.query["offset"] for r in requests if r.path == "/stuck/jobs.rss"] == [["0"], ["3"]]
    assert query(db, "SELECT COUNT(*) AS n FROM jobs WHERE source = 'tt-stuck'") == [{"n": 3}]

    # A blank title is dropped and reported; an item with no job id is keyed by its guid; an
    # unreadable date, an unknown remote status and empty locations are left out.
    assert runs["odd"]["problems"] == {"missing_title": 1}
    odd = query(db, "SELECT * FROM jobs WHERE source = 'tt-odd'")
    assert [(r["title"], r["external_id"], r["date_posted"], r["workplace"], r["company"]) for r in odd] == [
        ("Technician", "guid-only-900002", None, "onsite", None),
    ]
    assert [loc["raw"] for loc in query(db, "SELECT * FROM job_locations WHERE job_id = ?", odd[0]["id"])] == ["Bergen"]

    # The v1 mirror: pages followed through `links.next` on the mirror's host; internal jobs
    # skipped; the stated language kept; a record count above what the pages held reported.
    assert [r.query for r in requests if r.path == "/v1/jobs"] == [{}, {"page[number]": ["2"], "page[size]": ["2"]}]
    assert runs["api"]["problems"] == {"truncated_listing": 1}
    assert "meta.record-count is 4, the pages held 3" in runs["api"]["problem_examples"][0]["detail"]
    api = {row["external_id"]: row for row in query(db, "SELECT * FROM jobs WHERE source = 'tt-api'")}
    assert set(api) == {"7311101", "7311103"}
    carpenter = api["7311101"]
    assert (carpenter["title"], carpenter["language"], carpenter["language_method"]) == ("Snickare", "sv", "ats")
    assert (carpenter["url"], carpenter["apply_url"]) == (
        "https://karriar.fjallbo.se/jobs/7311101-snickare", "https://fjallbo.teamtailor.com/jobs/7311101-snickare/applications/new",
    )
    assert (carpenter["department"], carpenter["employment_type"], carpenter["workplace"]) == ("Produktion", "FULL_TIME", "onsite")
    assert (carpenter["salary_min"], carpenter["salary_max"], carpenter["salary_currency"], carpenter["salary_period"]) == (
        32000.0, 38000.0, "SEK", "MONTH",
    )
    assert (carpenter["date_posted"], carpenter["valid_through"]) == ("2026-09-03T08:12:00+00:00", "2026-10-31")
    carpenter_places = query(db, "SELECT * FROM job_locations WHERE job_id = ? ORDER BY position", carpenter["id"])
    assert [(loc["city"], loc["country_code"]) for loc in carpenter_places] == [("Östersund", "SE"), ("Trondheim", "NO")]
    manager = api["7311103"]
    assert (manager["language"], manager["workplace"], manager["employment_type"], manager["salary_min"]) == ("en", "hybrid", "PART_TIME", None)


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "feed", "locale"),
    [
        ("https://nordvik.teamtailor.com/jobs", "https://nordvik.teamtailor.com/jobs.rss", None),
        ("https://nordvik.teamtailor.com/", "https://nordvik.teamtailor.com/jobs.rss", None),
        ("https://nordvik.teamtailor.com/de/jobs", "https://nordvik.teamtailor.com/de/jobs.rss", "de"),
        ("https://careers.nordvik.se/fr-CA/jobs/7311001-backend", "https://careers.nordvik.se/fr-CA/jobs.rss", "fr-CA"),
        ("https://nordvik.na.teamtailor.com/jobs/7311001-backend", "https://nordvik.na.teamtailor.com/jobs.rss", None),
        ("ftp://nordvik.teamtailor.com/jobs", None, None),
    ],
)
def test_feed_url_from_career_site_url(board_url, feed, locale):
    assert feed_url(board_url) == feed
    assert (feed_locale(feed) if feed else None) == locale


def test_rss_mapper_on_one_item():
    item = {
        "title": "Elektriker",
        "description": "<p>Service av turbiner.</p>",
        "pubDate": "Tue, 01 Sep 2026 08:00:00 +0200",
        "link": "https://careers.nordvik.se/de/jobs/7311009-elektriker",
        "guid": "6f0c2a8e-0000",
        "remoteStatus": "Fully",
        "department": "Service",
        "role": "Electrician",
        "locations": [{"name": "Remote", "city": None, "country": "Norway", "zip": None, "address": None}, "junk"],
    }
    posting = spider("https://careers.nordvik.se/de/jobs").rss_posting(item, "Nordvik Energi AB")
    assert (posting.key, posting.external_id, posting.url) == ("7311009", "7311009", item["link"])
    assert (posting.title, posting.company, posting.department) == ("Elektriker", "Nordvik Energi AB", "Service")
    assert (posting.workplace_raw, posting.date_posted_raw, posting.declared_language) == ("remote", "Tue, 01 Sep 2026 08:00:00 +0200", "de")
    assert [(loc.raw, loc.city, loc.country, loc.remote) for loc in posting.locations] == [("Remote", None, "Norway", True)]
    assert posting.stated_language is None and posting.salary_raw is None and posting.translation_key is None
    assert spider().rss_posting({"title": "no link, no guid"}) is None


def _real_v1_jobs() -> list[dict]:
    """The real v1 sample is a JS module (`module.exports = {...}`, unquoted keys, single-quoted
    strings): turned into JSON here."""
    path = REAL_SAMPLES / "kits__teamtailor_api_v1_fallback_jobs.js"
    if not path.is_file():
        pytest.skip("real samples not available")
    source = path.read_text(encoding="utf-8").strip().removeprefix("module.exports =").rstrip(";")
    token = re.compile(r"""'((?:[^'\\]|\\.)*)'|("(?:[^"\\]|\\.)*")|([A-Za-z_$][\w$]*)(\s*:)""")

    def to_json(match: re.Match) -> str:
        if match.group(1) is not None:
            return json.dumps(match.group(1).replace("\\'", "'"))
        if match.group(2) is not None:
            return match.group(2)
        return json.dumps(match.group(3)) + match.group(4)

    return json.loads(re.sub(r",(\s*[}\]])", r"\1", token.sub(to_json, source)))["data"]


def test_api_mapper_on_the_real_sample():
    jobs = _real_v1_jobs()
    postings = [spider().api_posting(job) for job in jobs]
    assert len(postings) == 5 and all(posting is not None for posting in postings)
    assert all(posting.title for posting in postings)
    assert len({posting.key for posting in postings}) == 5
    assert all(posting.url.startswith("https://jobb.kits.se/jobs/") for posting in postings)
    assert all(posting.apply_url.startswith("https://jobba-pa-kits.teamtailor.com/jobs/") for posting in postings)
    assert all(posting.description_html and posting.description_html.startswith("<") for posting in postings)
    assert all(re.match(r"\d{4}-\d{2}-\d{2}T", posting.date_posted_raw) for posting in postings)
    # A 2017 document: no language code, no remote status, locations behind links only.
    assert {(posting.stated_language, posting.workplace_raw) for posting in postings} == {(None, None)}
    assert all(posting.locations == [] and posting.salary_raw is None for posting in postings)


def test_a_career_site_on_the_companys_own_domain_is_handed_to_teamtailor(api_server, tmp_path):
    """`careers.nordvik.se` says nothing of Teamtailor in its host; its page's assets do. The
    careers-site crawl recognises it and hands the site to the Teamtailor connector, which reads
    the feed on the same host."""
    page = (
        '<html lang="sv"><head><link rel="stylesheet" href="https://assets-aws.teamtailor-cdn.com/assets/careersite.css">'
        "</head><body><h1>Jobba hos oss</h1><p>Våra lediga tjänster laddas här.</p></body></html>"
    )
    routes = {
        "GET /jobs": (200, page, {"Content-Type": "text/html; charset=utf-8"}),
        "GET /jobs.rss": lambda request: rss({"0": "feed-1.rss", "3": "feed-2.rss", "6": "feed-3.rss"}[request.query["offset"][0]]),
    }
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "nordvik", "url": f"{origin}/jobs"}], *FAST, "--workers", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nordvik.teamtailor" in result.stdout  # crawled as the source `<site>.<kind>`
    assert "/jobs.rss" in {r.path for r in requests}
    rows = query(db, "SELECT source, ats, title FROM jobs")
    assert rows and {(row["source"], row["ats"]) for row in rows} == {("nordvik.teamtailor", "teamtailor")}
    assert "Backendutvecklare" in {row["title"] for row in rows}
    assert last_run(db, "nordvik")["problems"].get("ats_board_found") == 1
