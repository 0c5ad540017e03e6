"""Cornerstone OnDemand career sites: the career-site page (token and pod), the job search and each
job ad served on 127.0.0.1 in their real shapes, crawled by the real `jobatlas crawl`; URL forms."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.cornerstone import CornerstoneSpider, listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
FIXTURES = SITES / "ats" / "cornerstone"
SITE = "https://lumenbank.csod.com/ux/ats/careersite/1/home?c=lumenbank"
PAGE = "/ux/ats/careersite/1/home"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def career_page(origin: str, prefix: str = "") -> tuple:
    return 200, (FIXTURES / "careersite.html").read_text(encoding="utf-8").replace("{cloud}", f"{origin}{prefix}/"), HTML


def filler(number: int) -> dict:
    return {"requisitionId": 5000 + number, "displayJobTitle": f"Branch Cashier {number}", "postingEffectiveDate": "5/1/2025",
            "locations": [{"city": "Leeds", "state": "England", "country": "GB"}], "externalDescription": "Serve customers at our Leeds branch counter."}


def test_site_is_crawled_page_by_page_with_each_ad(api_server, tmp_path):
    real = ats_fixture("cornerstone", "jobs.json")
    everything = real["data"]["requisitions"] + [filler(number) for number in range(99)]

    def search(request):
        body = request.json()
        assert (body["careerSiteId"], body["careerSitePageId"], body["pageSize"]) == (1, 1, 100)
        start = (body["pageNumber"] - 1) * 100
        return 200, {**real, "data": {"totalCount": len(everything), "requisitions": everything[start:start + 100]}}

    routes = {"POST /rec-job-search/external/jobs": search}
    ads = {2871, 2903, 2915}
    for job in everything:
        rid = job["requisitionId"]
        answer = ats_fixture("cornerstone", f"ad-{rid}.json") if rid in ads else {"data": [{"items": [{"fields": {"ad": "<p>Serve customers at our Leeds branch.</p>"}}]}]}
        routes[f"GET /Services/API/ATS/CareerSite/1/JobRequisitions/{rid}"] = (200, answer)
    with api_server(routes) as (origin, requests):
        routes[f"GET {PAGE}"] = career_page(origin)
        result, db = crawl_into(tmp_path, [{"name": "lumen", "url": SITE, "endpoint": f"{origin}{PAGE}?c=lumenbank"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert [r.json()["pageNumber"] for r in requests if r.method == "POST"] == [1, 2]
    assert requests[1].path == PAGE or requests[0].path == PAGE  # the page (token) before anything else

    rows = stored_postings(db)
    assert len(rows) == 102
    analyst = rows["2871:en"]
    assert (analyst["title"], analyst["url"], analyst["date_posted"]) == (
        "Risk Analyst & Modeller", "https://lumenbank.csod.com/ux/ats/careersite/1/home/requisition/2871?c=lumenbank", "2025-05-14",
    )
    assert [(loc["city"], loc["country_code"]) for loc in analyst["locations"]] == [("London", "GB"), ("Edinburgh", "GB")]
    assert "PD and LGD models" in analyst["description"]  # the ad, not the listing's stripped text
    adviser = rows["2903:de"]
    assert [(loc["city"], loc["country_code"]) for loc in adviser["locations"]] == [("Frankfurt am Main", "DE")]
    analista = rows["2915:es"]  # an empty ad: the listing's text is kept
    assert analista["description"].startswith("Buscamos un analista de cumplimiento")

    run = last_run(db, "lumen")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /tokenless/ux/ats/careersite/1/home": (200, "<html><body>Maintenance</body></html>", HTML),
        "POST /empty/rec-job-search/external/jobs": (200, {"status": "Success", "data": {"totalCount": 0, "requisitions": []}}),
        "POST /garbled/rec-job-search/external/jobs": (200, '{"status": "Success", "data": {"requisitions": [', {"Content-Type": "application/json"}),
        "POST /unindexed/rec-job-search/external/jobs": (404, {"error": {"code": "ResourceNotFound"}}),
    }
    names = ["missing", "tokenless", "empty", "garbled", "unindexed"]
    with api_server(routes) as (origin, _):
        for name in ("empty", "garbled", "unindexed"):
            routes[f"GET /{name}{PAGE}"] = career_page(origin, f"/{name}")
        entries = [{"name": f"cs-{name}", "url": f"https://{name}.csod.com/ux/ats/careersite/1/home?c={name}",
                    "endpoint": f"{origin}/{name}{PAGE}?c={name}"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"cs-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "tokenless": ("failed", {"bad_json": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "unindexed": ("complete", {"no_postings_found": 1}),  # no search index: the site lists nothing
    }
    assert f"{origin}/tokenless{PAGE}" in str(runs["tokenless"]["problem_examples"])


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        (SITE, SITE),
        ("https://lumenbank.csod.com/ux/ats/careersite/4/home/requisition/2871?c=lumenbank&lang=de-DE",
         "https://lumenbank.csod.com/ux/ats/careersite/4/home?c=lumenbank"),
        ("https://lumenbank.csod.com/LMS/catalog/Welcome.aspx", None),
    ],
)
def test_listing_url_from_site_url(site_url, expected):
    assert listing_url(site_url) == expected


def test_the_ad_is_asked_for_with_the_token_and_its_session():
    spider = CornerstoneSpider(source=Source(name="lumen", url=SITE.replace("/1/", "/4/")))
    spider.token = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJxejR2ZCJ9.c2ln"  # aud: qz4vd
    request = spider.detail_request({"requisitionId": 2871})
    assert request.url == "https://lumenbank.csod.com/Services/API/ATS/CareerSite/4/JobRequisitions/2871?useMobileAd=false&cultureId=1"
    assert request.headers["Authorization"] == b"Bearer " + spider.token.encode() and request.headers["Cookie"] == b"ASP.NET_SessionId=qz4vd"
    assert spider.job_posting({"requisitionId": 7, "displayJobTitle": ["x"], "locations": "y", "postingEffectiveDate": "soon"}).key == "7"
