"""Homerun career pages: the Atom feed served on 127.0.0.1 from a fixture in its real shape,
crawled by the real `jobatlas crawl`; the feed URL of each page form; odd and hostile entries."""

from __future__ import annotations

import pytest
from conftest import SITES, countries_json, crawl_into, last_run, query, stored_postings
from lxml import etree

from crawler.sources import Source
from crawler.spiders.homerun import HomerunSpider, feed_url

FIXTURES = SITES / "ats" / "homerun"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
PAGE = "https://fietsfabriek.homerun.co"
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
EMPTY = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Leeg</title></feed>'


def spider() -> HomerunSpider:
    return HomerunSpider(source=Source(name="fietsfabriek", url=PAGE))


def entry(xml: str) -> etree._Element:
    return etree.fromstring(f'<entry xmlns="http://www.w3.org/2005/Atom">{xml}</entry>')


# -- end to end ---------------------------------------------------------------------------------


def test_feed_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({"GET /fietsfabriek": (200, (FIXTURES / "feed.xml").read_text(), ATOM)}) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "fietsfabriek", "url": f"{PAGE}/", "endpoint": f"{origin}/fietsfabriek"}], *CRAWL_SETTINGS
        )
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"] == ["/fietsfabriek"]

    rows = stored_postings(db)  # the entry listed twice is stored once
    assert set(rows) == {"8f2c1a:en", "8f2c1b:nl", "8f2c1c:de"}
    assert {row["ats"] for row in rows.values()} == {"homerun"}
    assert {row["language_method"] for row in rows.values()} == {"detected"}  # the feed states none

    designer = rows["8f2c1a:en"]
    assert (designer["title"], designer["url"], designer["company"], designer["department"]) == (
        "Product Designer", f"{PAGE}/product-designer/en", "Fietsfabriek B.V.", "Design",
    )
    assert (designer["employment_type"], designer["workplace"], designer["date_posted"]) == (
        "FULL_TIME", "onsite", "2025-04-24T07:42:51+00:00",  # an office, no remote: onsite (normalize step)
    )
    assert (designer["salary_min"], designer["salary_max"], designer["salary_currency"], designer["salary_period"]) == (
        4000.0, 5200.0, "EUR", "MONTH",
    )
    assert [(loc["city"], loc["country_code"]) for loc in designer["locations"]] == [("Amsterdam", "NL")]
    assert designer["description"].startswith("Fietsfabriek builds electric cargo bikes") and "<" not in designer["description"]

    mechanic = rows["8f2c1b:nl"]  # a link without rel; a naive date; the text in a CDATA summary
    assert (mechanic["url"], mechanic["employment_type"], mechanic["date_posted"][:10]) == (
        f"{PAGE}/monteur-fietsen/nl", "PART_TIME", "2025-04-13",
    )
    assert [(loc["city"], loc["country_code"]) for loc in mechanic["locations"]] == [("Rotterdam", "NL")]
    assert "Wat wij vragen" in mechanic["description"]

    sales = rows["8f2c1c:de"]  # remote; inline XHTML content; published before updated
    assert (sales["workplace"], sales["company"], sales["date_posted"]) == ("remote", "Fietsfabriek GmbH", "2025-04-02T08:00:00+00:00")
    assert [(loc["country_code"], loc["remote"]) for loc in sales["locations"]] == [("DE", 1)]
    assert sales["description"].startswith("Du betreust unsere Fachhändler") and "Dienstfahrrad" in sales["description"]

    run = last_run(db, "fietsfabriek")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "nl")] == [("NL", 1)]


def test_bad_feeds_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY secret SYSTEM "file:///etc/passwd">]><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        '<id>h1</id><title>Job &b; &secret;</title><link href="https://hostile.homerun.co/h1"/></entry>'
        "<entry><title>no id, no link</title></entry></feed>"
    )
    routes = {
        "GET /empty": (200, EMPTY, ATOM),
        "GET /garbled": (200, (FIXTURES / "garbled.xml").read_text(), ATOM),
        "GET /rss": (200, '<?xml version="1.0"?><rss version="2.0"><channel/></rss>', ATOM),
        "GET /hostile": (200, hostile, ATOM),
    }
    names = ["missing", "empty", "garbled", "rss", "hostile"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"hr-{name}", "url": f"https://{name}.homerun.co/", "endpoint": f"{origin}/{name}"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"hr-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_xml": 1}),
        "rss": ("failed", {"bad_xml": 1}),
        "hostile": ("partial", {"bad_posting": 1}),
    }
    [job] = query(db, "SELECT * FROM jobs")  # entities left unexpanded: no text from them, no file read
    assert (job["external_id"], job["title"], job["url"]) == ("h1", "Job", "https://hostile.homerun.co/h1")


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page_url", "expected"),
    [
        (f"{PAGE}/", "https://feed.homerun.co/fietsfabriek"),
        (f"{PAGE}/product-designer/en", "https://feed.homerun.co/fietsfabriek"),
        ("https://feed.homerun.co/fietsfabriek", "https://feed.homerun.co/fietsfabriek"),
        ("https://app.homerun.co/login", None),
        ("https://feed.homerun.co/", None),
        ("https://fietsfabriek.example/careers", None),
    ],
)
def test_feed_url_from_page_url(page_url, expected):
    assert feed_url(page_url) == expected


def test_mapper_on_odd_entries():
    posting = spider().job_posting(entry('<id> 12 </id><link rel="related" href="x"/><type>Hybrid</type>'), "Feed title")
    assert (posting.key, posting.url, posting.workplace_raw, posting.company, posting.employment_type_raw) == (
        "12", PAGE, "hybrid", "Feed title", "Hybrid",
    )
    only_link = spider().job_posting(entry('<link href="https://x.homerun.co/a"/><location><name/></location>'))
    assert (only_link.key, only_link.locations, only_link.title, only_link.description_html) == (
        "https://x.homerun.co/a", [], None, None,
    )
    assert spider().job_posting(entry("<title>nothing else</title><!-- a comment -->")) is None
