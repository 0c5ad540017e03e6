"""Avature portals: search pages and job pages served on 127.0.0.1 in their real HTML shape and
crawled by the real `jobatlas crawl`: paging by the links a page brings, JSON-LD and text-only
job pages; URL forms and own-domain recognition."""

from __future__ import annotations

import pytest
from conftest import SITES, crawl_into, last_run, run_cli, stored_postings

from crawler.spiders.avature import listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
FIXTURES = SITES / "ats" / "avature"
PORTAL = "https://northwind.avature.net/careers"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(name: str) -> tuple:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), HTML


def search(request):
    """Two jobs a page whatever is asked (a tenant's cap); past the end, none."""
    offset = int(request.query["jobOffset"][0])
    return page({0: "search-0.html", 2: "search-2.html"}.get(offset, "search-end.html"))


JOBS = {"10482": "Data-Engineer", "10517": "Werkstudentin-Marketing", "10533": "Charge-de-clientele"}
JOB_ROUTES = {f"GET /careers/JobDetail/{slug}/{job_id}": page(f"job-{job_id}.html") for job_id, slug in JOBS.items()}


def test_portal_is_crawled_page_by_page(api_server, tmp_path):
    with api_server({"GET /careers/SearchJobs/": search, **JOB_ROUTES}) as (origin, requests):
        endpoint = f"{origin}/careers/SearchJobs/?jobOffset=0&jobRecordsPerPage=50"
        result, db = crawl_into(tmp_path, [{"name": "northwind", "url": PORTAL, "endpoint": endpoint}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert [r.query["jobOffset"][0] for r in requests if r.path == "/careers/SearchJobs/"] == ["0", "2", "4"]
    assert sorted(r.path for r in requests if "JobDetail" in r.path) == sorted(route.removeprefix("GET ") for route in JOB_ROUTES)

    rows = stored_postings(db)
    assert set(rows) == {"10482:en", "10517:de", "10533:fr"}
    engineer = rows["10482:en"]
    assert (engineer["title"], engineer["url"], engineer["date_posted"]) == (
        "Data Engineer", "https://northwind.avature.net/careers/JobDetail/Data-Engineer/10482", "2025-05-06",
    )
    assert (engineer["salary_min"], engineer["salary_max"], engineer["salary_currency"]) == (95000, 120000, "CAD")
    assert [(loc["city"], loc["country_code"]) for loc in engineer["locations"]] == [("Toronto", "CA")]
    student = rows["10517:de"]  # no JSON-LD: title and text blocks
    assert student["title"] == "Werkstudent/in Marketing" and "Marketingteam in Hamburg" in student["description"]
    adviser = rows["10533:fr"]
    assert (adviser["employment_type"], adviser["ats"]) == ("PART_TIME", "avature")

    run = last_run(db, "northwind")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_portals_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/careers/SearchJobs/": page("search-end.html"),
        "GET /parked/careers/SearchJobs/": (200, "<html><body>Under maintenance</body></html>", HTML),
        "GET /blank/careers/SearchJobs/": (200, "<a href='/careers/JobDetail/Cook/77'>Cook</a><a href='?x=SearchJobs'></a>", HTML),
        "GET /careers/JobDetail/Cook/77": (200, "<html lang='en'><h1>Cook</h1><p>Position filled.</p></html>", HTML),
    }
    names = ["missing", "empty", "parked", "blank"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"av-{name}", "url": f"https://{name}.avature.net/careers",
                    "endpoint": f"{origin}/{name}/careers/SearchJobs/?jobOffset=0"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"av-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "parked": ("failed", {"bad_posting": 1}),
        "blank": ("partial", {"bad_posting": 1, "no_postings_found": 1}),
    }
    assert f"{origin}/parked/careers/SearchJobs/" in str(runs["parked"]["problem_examples"])


@pytest.mark.parametrize(
    ("portal_url", "expected"),
    [
        (PORTAL, f"{PORTAL}/SearchJobs/?jobOffset=0&jobRecordsPerPage=50"),
        ("https://northwind.avature.net/careers/SearchJobs/?1686=%5B55478%5D&jobRecordsPerPage=12", f"{PORTAL}/SearchJobs/?jobOffset=0&jobRecordsPerPage=50"),
        ("https://northwind.avature.net/en_US/careers/JobDetail/Data-Engineer/10482",
         "https://northwind.avature.net/en_US/careers/SearchJobs/?jobOffset=0&jobRecordsPerPage=50"),
    ],
)
def test_listing_url_from_portal_url(portal_url, expected):
    assert listing_url(portal_url) == expected


def test_a_portal_on_its_own_domain_is_recognised_by_its_page(site_server, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(page("search-0.html")[1].replace("https://northwind.avature.net", ""), encoding="utf-8")
    with site_server(tmp_path / "site") as (origin, _):
        result = run_cli("sources", "detect", f"{origin}/", "https://northwind.avature.net/careers/SearchJobs/")
    assert result.stdout.splitlines() == [f"avature\t{origin}/", f"avature\t{PORTAL}"]
