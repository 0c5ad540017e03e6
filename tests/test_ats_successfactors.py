"""SAP SuccessFactors: a Career Site Builder site (search pages → job pages) and a classic XML
feed served on 127.0.0.1 from fixtures in their real shapes, crawled by the real `jobatlas crawl`."""

from __future__ import annotations

import re

import pytest
from conftest import SITES, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.successfactors import SuccessFactorsSpider, iso_date, listing_url

FIXTURES = SITES / "ats" / "successfactors"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SEARCH = "/search/?q=&sortColumn=referencedate&sortDirection=desc&startrow=0"
HTML = {"Content-Type": "text/html; charset=utf-8"}
FILLER = """<!DOCTYPE html><html lang="en-US"><head><title>Support Engineer</title></head><body>
<div itemscope itemtype="http://schema.org/JobPosting"><h1 id="job-title" itemprop="title">Support Engineer {id}</h1>
<meta itemprop="datePosted" content="Sun Sep 20 00:00:00 UTC 2026">
<span itemprop="jobLocation" itemscope itemtype="http://schema.org/Place"><span itemprop="address" itemscope
 itemtype="http://schema.org/PostalAddress"><meta itemprop="addressLocality" content="Dublin">
 <meta itemprop="addressCountry" content="IE"></span></span>
<span class="jobdescription" itemprop="description"><p>Help our customers in Dublin solve problems.</p></span></div>
</body></html>"""


def page(name: str) -> tuple:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), HTML


def site_routes() -> dict:
    def search(request):
        return page("search-1.html" if request.query.get("startrow") == ["0"] else "search-2.html")

    routes = {"GET /search/": search}
    for name in ("search-1.html", "search-2.html"):
        for path in re.findall(r'href="(/job/[^"]+)"', (FIXTURES / name).read_text()):
            job_id = path.rstrip("/").rsplit("/", 1)[-1]
            known = FIXTURES / f"job-{job_id}.html"
            routes[f"GET {path}"] = (
                page(known.name) if known.is_file() else (200, FILLER.format(id=job_id), HTML)
            )
    return routes


# -- end to end ---------------------------------------------------------------------------------


def test_career_site_and_classic_feed_are_crawled_field_by_field(api_server, tmp_path):
    routes = {**site_routes(), "GET /career": page("feed.xml")}
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(
            tmp_path,
            [
                {"name": "northwind", "url": "https://jobs.northwind.example/", "kind": "successfactors",
                 "endpoint": f"{origin}{SEARCH}"},
                {"name": "clinic", "url": "https://career4.successfactors.com/career?company=clinicP",
                 "endpoint": f"{origin}/career?company=clinicP&career_ns=job_listing_summary&resultType=XML"},
            ],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    searches = [r.query["startrow"] for r in requests if r.path == "/search/"]
    assert searches == [["0"], ["25"]]
    assert len([r for r in requests if r.path.startswith("/job/")]) == 26  # each job once (two links a row)

    rows = stored_postings(db)
    assert len(rows) == 28

    developer = rows["1101:de"]  # microdata
    assert developer["title"] == "Senior Developer (f/m/d)"
    assert developer["url"].endswith("/job/Walldorf-Senior-Developer-69190/1101/")
    assert developer["company"] == "Northwind SE"
    assert (developer["date_posted"], developer["valid_through"][:10]) == ("2026-10-02", "2026-12-31")
    assert [(loc["city"], loc["country_code"]) for loc in developer["locations"]] == [("Walldorf", "DE")]
    assert developer["description"].startswith("Wir machen es möglich")

    sales = rows["1102:fr"]
    assert (sales["title"], sales["date_posted"]) == ("Chargé de clientèle (H/F)", "2026-09-28")
    assert [loc["country_code"] for loc in sales["locations"]] == ["FR"]

    executive = rows["1103:en"]  # JSON-LD
    assert (executive["employment_type"], executive["date_posted"]) == ("FULL_TIME", "2026-09-25")
    assert [(loc["city"], loc["country_code"]) for loc in executive["locations"]] == [
        ("Newtown Square", "US"), ("Toronto", "CA")]
    assert executive["salary_min"] is None

    analyst = rows["1126:pt"]  # no structured data: the CSB markup and the listing row
    assert (analyst["title"], analyst["date_posted"]) == ("Analista Financeiro", "2026-09-18")
    assert [loc["country_code"] for loc in analyst["locations"]] == ["PT"]
    assert analyst["description"].startswith("O que vai fazer")

    nurse = rows["4711:de"]  # classic feed
    assert (nurse["title"], nurse["department"], nurse["employment_type"]) == (
        "Pflegefachkraft (m/w/d)", "Nursing", "FULL_TIME")
    assert nurse["url"].endswith("/career?company=clinicP&career_ns=job_listing&career_job_req_id=4711")
    assert nurse["date_posted"] == "2026-10-05"
    assert [(loc["city"], loc["country_code"]) for loc in nurse["locations"]] == [("Hamburg", "DE")]
    assert rows["4712:en"]["employment_type"] == "PART_TIME"

    for name in ("northwind", "clinic"):
        run = last_run(db, name)
        assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/search/": page("search-empty.html"),
        "GET /garbled/search/": (200, "\x00\x13PK binary junk", {"Content-Type": "application/octet-stream"}),
        "GET /career": (200, "<Job-Listing><Job><ReqId>1</Job>", {"Content-Type": "text/xml"}),
    }
    names = ["missing", "empty", "garbled", "brokenfeed"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"sf-{name}", "url": f"https://{name}.example/", "kind": "successfactors",
             "endpoint": f"{origin}/{name}{SEARCH}"}
            for name in names[:3]
        ] + [{"name": "sf-brokenfeed", "url": "https://career5.successfactors.eu/career?company=x",
              "endpoint": f"{origin}/career?company=x&career_ns=job_listing_summary&resultType=XML"}]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"sf-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_posting": 1}),
        "brokenfeed": ("failed", {"bad_xml": 1}),
    }


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://jobs.sap.com/", f"https://jobs.sap.com{SEARCH}"),
        ("https://jobs.sap.com/job/Walldorf-Developer-69190/1234567801/", f"https://jobs.sap.com{SEARCH}"),
        ("https://careers.example.com/tfl/search/?q=&locationsearch=london", f"https://careers.example.com/tfl{SEARCH}"),
        ("https://career4.successfactors.com/career?company=bswh&career_ns=job_listing_summary",
         "https://career4.successfactors.com/career?company=bswh&career_ns=job_listing_summary&resultType=XML"),
        ("https://career5.successfactors.eu/career?company=SwissRe",
         "https://career5.successfactors.eu/career?company=SwissRe&career_ns=job_listing_summary&resultType=XML"),
        ("https://career5.successfactors.eu/career", None),  # no company named
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_dates_are_read_in_their_spellings():
    assert [iso_date(v) for v in ("Fri Aug 21 00:00:00 UTC 2026", "Aug 21, 2026", "08/21/2026", "21.08.2026", None)] == [
        "2026-08-21", "2026-08-21", "2026-08-21", "21.08.2026", None]


def test_spider_is_named_for_its_kind():
    spider = SuccessFactorsSpider(source=Source(name="x", url="https://jobs.sap.com/", kind="successfactors"))
    assert spider.name == "successfactors" and spider.api_url() == f"https://jobs.sap.com{SEARCH}"
