"""iCIMS portals: the search pages and job pages served on 127.0.0.1 from HTML fixtures in their
real shapes, crawled by the real `jobatlas crawl`; the URL forms; the link reader."""

from __future__ import annotations

import pytest
from conftest import SITES, crawl_into, last_run, query, stored_postings
from scrapy.http import HtmlResponse

from crawler.spiders.icims import job_links, listing_url

FIXTURES = SITES / "ats" / "icims"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SLUGS = {"4821": "senior-data-engineer", "4830": "vertriebsleiter-dach", "4835": "charge-de-clientele",
         "4840": "product-designer-remote"}


def html(name: str) -> tuple[int, str, dict[str, str]]:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), {"Content-Type": "text/html; charset=utf-8"}


def search(request):
    # Past the end the portal shows its last page again.
    return html("search_0.html" if request.query.get("pr") == ["0"] else "search_1.html")


def test_portal_is_crawled_field_by_field(api_server, tmp_path):
    routes = {"GET /jobs/search": search}
    routes |= {f"GET /jobs/{job_id}/{slug}/job": html(f"job_{job_id}.html") for job_id, slug in SLUGS.items()}
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(
            tmp_path,
            [{"name": "larkspur", "url": "https://careers-larkspur.icims.com/jobs/intro",
              "endpoint": f"{origin}/jobs/search?ss=1&in_iframe=1&pr=0"}],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    asked = [(r.path, r.query.get("pr"), r.query.get("in_iframe")) for r in requests if r.path != "/robots.txt"]
    assert [a for a in asked if a[0] == "/jobs/search"] == [
        ("/jobs/search", [str(n)], ["1"]) for n in range(3)  # page 2 brings nothing new: the end
    ]
    assert sorted(a for a in asked if a[0] != "/jobs/search") == [
        (f"/jobs/{job_id}/{slug}/job", None, ["1"]) for job_id, slug in SLUGS.items()
    ]

    rows = stored_postings(db)
    assert set(rows) == {"4821:en", "4830:de", "4835:fr", "4840:en"}
    assert {row["ats"] for row in rows.values()} == {"icims"}

    engineer = rows["4821:en"]
    assert (engineer["title"], engineer["company"], engineer["employment_type"]) == (
        "Senior Data Engineer", "Larkspur Analytics", "FULL_TIME")
    assert engineer["url"] == f"{engineer['url'].split('/jobs/')[0]}/jobs/4821/senior-data-engineer/job"
    assert (engineer["salary_min"], engineer["salary_max"], engineer["salary_currency"], engineer["salary_period"]) == (
        165000.0, 195000.0, "USD", "YEAR")
    assert engineer["date_posted"].startswith("2025-04-02")
    assert [(loc["city"], loc["country_code"]) for loc in engineer["locations"]] == [("New York", "US")]
    assert engineer["description"].startswith("Overview")

    sales = rows["4830:de"]
    assert (sales["title"], sales["employment_type"]) == ("Vertriebsleiter DACH (m/w/d)", "FULL_TIME")
    assert [(loc["city"], loc["country_code"]) for loc in sales["locations"]] == [("München", "DE")]

    support = rows["4835:fr"]
    assert (support["employment_type"], support["salary_min"]) == ("PART_TIME", None)
    assert [(loc["city"], loc["country_code"]) for loc in support["locations"]] == [("Paris", "FR"), ("Bruxelles", "BE")]

    designer = rows["4840:en"]
    assert (designer["workplace"], designer["employment_type"]) == ("remote", "CONTRACTOR")
    assert [(loc["country_code"], loc["remote"]) for loc in designer["locations"]] == [("CA", 1)]

    run = last_run(db, "larkspur")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_portals_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    nold = html("search_0.html")[1].replace("/jobs/4830/vertriebsleiter-dach/job", "/jobs/4899/warehouse-lead/job")
    routes = {
        "GET /empty/jobs/search": html("search_empty.html"),
        "GET /garbled/jobs/search": (200, "<html><body>Service unavailable</body></html>", {"Content-Type": "text/html"}),
        "GET /nold/jobs/search": lambda r: (200, nold if r.query.get("pr") == ["0"] else "<html class='iCIMS_Body'></html>",
                                            {"Content-Type": "text/html"}),
        "GET /jobs/4821/senior-data-engineer/job": html("job_4821.html"),
        "GET /jobs/4899/warehouse-lead/job": html("job_nold.html"),
    }
    names = ("missing", "empty", "garbled", "nold")
    with api_server(routes) as (origin, _):
        entries = [{"name": f"icims-{name}", "kind": "icims", "url": f"https://careers-{name}.icims.com/",
                    "endpoint": f"{origin}/{name}/jobs/search?ss=1&in_iframe=1&pr=0"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"icims-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_posting": 1}),
        "nold": ("partial", {"bad_posting": 1}),  # a job page without JSON-LD: counted, the other stored
    }
    [good] = query(db, "SELECT * FROM jobs")
    assert (good["source"], good["external_id"], good["title"]) == ("icims-nold", "4821", "Senior Data Engineer")


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://careers-larkspur.icims.com/jobs/search?ss=1&in_iframe=1&pr=3",
         "https://careers-larkspur.icims.com/jobs/search?ss=1&in_iframe=1&pr=0"),
        ("https://careers-larkspur.icims.com/jobs/4821/senior-data-engineer/job?in_iframe=1",
         "https://careers-larkspur.icims.com/jobs/search?ss=1&in_iframe=1&pr=0"),
        ("https://jobs-tollbrothers.icims.com/", "https://jobs-tollbrothers.icims.com/jobs/search?ss=1&in_iframe=1&pr=0"),
        ("https://www.icims.com/", None),
        ("https://jobs.icims.com/jobs/search", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_job_links_keep_the_path_on_the_answering_host():
    body = (FIXTURES / "search_1.html").read_bytes()
    response = HtmlResponse("http://127.0.0.1:8080/jobs/search?pr=1&in_iframe=1", body=body, encoding="utf-8")
    assert job_links(response) == {
        job_id: f"http://127.0.0.1:8080/jobs/{job_id}/{SLUGS[job_id]}/job?in_iframe=1" for job_id in ("4830", "4835", "4840")
    }
    odd = HtmlResponse("http://x/", body=b"<a class='iCIMS_Anchor' href='/jobs/intro'>a</a><a class='iCIMS_Anchor'>b</a>")
    assert job_links(odd) == {}
