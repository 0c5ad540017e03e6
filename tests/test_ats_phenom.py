"""Phenom career sites: the widget API (search and job detail) served on 127.0.0.1 in its real
shape and crawled by the real `jobatlas crawl`; the URL forms; the request bodies; the mapper."""

from __future__ import annotations

import pytest
from conftest import ats_fixture, crawl_into, last_run, query, run_cli, stored_postings

from crawler.sources import Source
from crawler.spiders.board import Page
from crawler.spiders.phenom import PhenomSpider, listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SITE = "https://careers.novalith.example/us/en/search-results"
EN, DE, FR = "NOVAUS8812EXTERNALENUS", "NOVAUS8840EXTERNALDEDE", "NOVAUS8851EXTERNALFRFR"


def spider() -> PhenomSpider:
    return PhenomSpider(source=Source(name="novalith", url=SITE, kind="phenom"))


def filler(number: int) -> dict:
    return {"jobSeqNo": f"NOVAUS9{number:03}EXTERNALENUS", "jobId": f"9{number:03}", "title": f"Line Operator {number}",
            "city": "Raleigh", "state": "North Carolina", "country": "United States", "locale": "en_US", "type": "Full time"}


def widgets(request):
    """The site's /widgets: a search of 53 jobs (50 a page), and each job's detail."""
    body = request.json()
    if body["ddoKey"] == "jobDetail":
        seq = body["jobSeqNo"]
        if seq in (EN, DE, FR):
            return 200, ats_fixture("phenom", f"job-detail-{seq}.json")
        return 200, {"jobDetail": {"status": 200, "data": {"job": {"description": "<p>Run and monitor the extrusion line on day shifts.</p>"}}}}
    real = ats_fixture("phenom", "refine-search.json")
    jobs = real["refineSearch"]["data"]["jobs"] + [filler(number) for number in range(50)]
    page = jobs[body["from"]:body["from"] + body["size"]]
    return 200, {"refineSearch": {**real["refineSearch"], "hits": len(page), "totalHits": len(jobs), "data": {"jobs": page}}}


# The site's page opens the session the widgets answer in: its cookies, a CSRF token, its refNum.
SITE_PAGE = (200, '<html><head><script>var phApp = phApp || {"refNum":"NOVAUS","locale":"en_US","widgetApiEndpoint":"/widgets"};'
                  ' phApp.ddo = {};</script></head><body><div class="ph-page"></div></body></html>',
             {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": "PHPPPE_ACT=a1b2c3d4e5; Path=/; HttpOnly"})
TOKENED_PAGE = (200, "<html><body><div id='csrfToken' style='display:none'>7f3e9a1c2b4d</div></body></html>",
                {"Content-Type": "text/html; charset=utf-8"})


def test_site_is_crawled_page_by_page_with_each_jobs_detail(api_server, tmp_path):
    with api_server({"GET /us/en/search-results": SITE_PAGE, "POST /widgets": widgets}) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "novalith", "url": SITE, "kind": "phenom", "endpoint": f"{origin}/widgets"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"][:2] == ["/us/en/search-results", "/widgets"]
    searches = [r for r in requests if r.method == "POST" and r.json()["ddoKey"] == "refineSearch"]
    assert [(s.json()["from"], s.json()["size"], s.json()["lang"], s.json()["country"], s.json()["refNum"]) for s in searches] == [
        (0, 50, "en_us", "us", "NOVAUS"), (50, 50, "en_us", "us", "NOVAUS"),
    ]
    assert {r.headers.get("cookie") for r in requests if r.method == "POST"} == {"PHPPPE_ACT=a1b2c3d4e5"}

    rows = stored_postings(db)
    assert len(rows) == 53
    assert {rows[key]["language_method"] for key in ("R-8812:en", "R-8840:de", "R-8851:fr")} == {"ats"}

    engineer = rows["R-8812:en"]
    assert (engineer["title"], engineer["url"], engineer["department"], engineer["external_id"]) == (
        "Senior Process Engineer", "https://careers.novalith.example/us/en/job/8812", "Engineering", "R-8812",
    )
    assert engineer["apply_url"].startswith("https://novalith.wd5.myworkdayjobs.com/")
    assert (engineer["employment_type"], engineer["workplace"], engineer["date_posted"]) == ("FULL_TIME", "onsite", "2025-05-20T00:00:00+00:00")
    assert [(loc["city"], loc["country_code"]) for loc in engineer["locations"]] == [("Raleigh", "US"), ("Toronto", "CA")]
    assert "continuous manufacturing line" in engineer["description"] and "Mentor two" in engineer["description"]

    apprentice = rows["R-8840:de"]
    assert [(loc["city"], loc["country_code"]) for loc in apprentice["locations"]] == [("Leverkusen", "DE")]
    assert "Qualitätskontrolle" in apprentice["description"]

    support = rows["R-8851:fr"]
    assert (support["workplace"], support["employment_type"], support["apply_url"]) == ("remote", "PART_TIME", None)
    assert [(loc["country_code"], loc["remote"]) for loc in support["locations"]] == [("FR", 1)]

    run = last_run(db, "novalith")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    empty = {"refineSearch": {"status": 200, "hits": 0, "totalHits": 0, "data": {"jobs": []}}}
    odd = {"refineSearch": {"status": 200, "data": {"jobs": [{"title": "no id"}, {"jobSeqNo": 991, "title": ["List"], "multi_location": "x"}]}}}
    routes = {
        "GET /global/en/home": TOKENED_PAGE,
        "POST /empty/widgets": (200, empty),
        "POST /garbled/widgets": (200, '{"refineSearch": {"data": {"jobs": [', {"Content-Type": "application/json"}),
        "POST /shapeless/widgets": (200, {"status": "failure", "tokenAvailable": False}),
        "POST /odd/widgets": lambda request: (200, odd if request.json()["ddoKey"] == "refineSearch" else {"jobDetail": {"status": 404}}),
    }
    names = ["missing", "empty", "garbled", "shapeless", "odd"]
    with api_server(routes) as (origin, requests):
        entries = [{"name": f"ph-{name}", "url": f"https://careers.{name}.example/global/en/home", "kind": "phenom",
                    "endpoint": f"{origin}/{name}/widgets"} for name in names]
        entries.append({"name": "ph-gone", "url": "https://careers.gone.example/fr/fr/home", "kind": "phenom", "endpoint": f"{origin}/gone/widgets"})
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    names.append("gone")
    assert result.returncode == 1
    runs = {name: last_run(db, f"ph-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),
        "gone": ("failed", {"http_404": 1}),  # its page is gone: no widget asked
    }
    assert "/gone/widgets" not in [r.path for r in requests]
    assert {r.headers.get("x-csrf-token") for r in requests if r.path == "/empty/widgets"} == {"7f3e9a1c2b4d"}  # from the page
    assert f"{origin}/garbled/widgets" in str(runs["garbled"]["problem_examples"])
    [kept] = query(db, "SELECT * FROM jobs")  # a detail without a job keeps what the search gave
    assert (kept["external_id"], kept["title"], kept["url"]) == ("991", "List", "https://careers.odd.example/global/en/job/991")


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        (SITE, "https://careers.novalith.example/widgets"),
        ("https://careers.novalith.example/global/en/job/8812/Senior-Process-Engineer", "https://careers.novalith.example/widgets"),
        ("https://careers.novalith.example/", "https://careers.novalith.example/widgets"),
        ("https://jobs-novalith.phenompeople.com/us/en/home", "https://jobs-novalith.phenompeople.com/widgets"),
    ],
)
def test_listing_url_from_site_url(site_url, expected):
    assert listing_url(site_url) == expected


def test_a_site_on_its_own_domain_is_recognised_by_its_page(site_server, tmp_path):
    site = tmp_path / "site" / "us" / "en"
    site.mkdir(parents=True)
    (site / "index.html").write_text('<script src="https://cdn.phenompeople.com/CareerConnectResources/pcs/common/js/vendor.js"></script>'
                                     '<script>var phApp = phApp || {"widgetApiEndpoint":"/widgets"}; phApp.ddo = {};</script>')
    with site_server(tmp_path / "site") as (origin, _):
        result = run_cli("sources", "detect", f"{origin}/us/en/", "https://jobs-novalith.phenompeople.com/us/en/home")
    assert result.stdout.splitlines() == [f"phenom\t{origin}/us/en/", "phenom\thttps://jobs-novalith.phenompeople.com/us/en"]


def test_the_detail_request_names_the_job_in_the_sites_language():
    request = spider().detail_request({"jobSeqNo": EN})
    assert request.method == "POST" and request.url == "https://careers.novalith.example/widgets"
    body = request.replace().body
    assert b'"ddoKey": "jobDetail"' in body and f'"jobSeqNo": "{EN}"'.encode() in body and b'"lang": "en_us"' in body
    assert b'"from": 50' in spider().listing_request("https://careers.novalith.example/widgets", Page(1, 50)).body


@pytest.mark.parametrize(
    "job",
    [
        {"jobSeqNo": "7"},
        {"jobSeqNo": "7", "title": {"x": 1}, "multi_location": [None, 3, "Paris, France"], "city": ["Paris"], "isRemote": "yes"},
        {"jobSeqNo": "7", "multi_location": [], "cityStateCountry": None, "location": None, "checkRemote": 5, "locale": None},
    ],
)
def test_mapper_on_odd_jobs_never_raises(job):
    posting = spider().job_posting(job)
    assert posting.key == "7" and posting.url == "https://careers.novalith.example/us/en/job/7"
