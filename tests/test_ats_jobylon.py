"""Jobylon boards: the company feed and the job widget (with each job's page) served on
127.0.0.1 from fixtures in their real shapes, crawled by the real `jobatlas crawl`; the URL forms;
the mapper on odd job dicts; the widget parser on the real saved widget page when present."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SITES, ats_fixture, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.jobylon import JobylonSpider, listing_url, widget_jobs

FIXTURES = SITES / "ats" / "jobylon"
REAL_WIDGET = Path(__file__).parents[2] / "shared" / "real-samples" / "careers-pages" / "jobseek__jobylon_mcdonalds_se.html"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
FEED = "/feeds/9c1e0f4a2b7d4e5f8a6b3c2d1e0f9a8b/"
WIDGET = "/jobs/companies/3120/embed/v2/"


def html(name: str) -> tuple[int, str, dict[str, str]]:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), {"Content-Type": "text/html; charset=utf-8"}


def test_feed_and_widget_are_crawled_field_by_field(api_server, tmp_path):
    routes = {
        f"GET {FEED}": (200, ats_fixture("jobylon", "feed.json")),
        f"GET {WIDGET}": html("widget.html"),
        "GET /jobs/402118-fjallbacka-kaffe-butikschef-till-var-butik-i-uppsala/": html("job_402118.html"),
        "GET /jobs/402130-fjallbacka-kaffe-e-commerce-manager-nordics/": html("job_402130.html"),
    }
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(
            tmp_path,
            [
                {"name": "nordvik", "kind": "jobylon", "url": f"https://feed.jobylon.com{FEED}",
                 "endpoint": f"{origin}{FEED}?format=json"},
                {"name": "fjallbacka", "url": "https://emp.jobylon.com/companies/3120-fjallbacka-kaffe/",
                 "endpoint": f"{origin}{WIDGET}?target=jobylon-jobs-widget&page_size=100"},
            ],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    assert sorted((r.path, r.query.get("format")) for r in requests if r.path != "/robots.txt") == [
        (FEED, ["json"]),
        ("/jobs/402118-fjallbacka-kaffe-butikschef-till-var-butik-i-uppsala/", None),
        ("/jobs/402130-fjallbacka-kaffe-e-commerce-manager-nordics/", None),
        (WIDGET, None),
    ]

    rows = stored_postings(db)
    assert set(rows) == {"51234:en", "51240:sv", "51255:de", "402118:sv", "402130:en"}
    assert {row["ats"] for row in rows.values()} == {"jobylon"}

    engineer = rows["51234:en"]
    assert (engineer["title"], engineer["company"], engineer["department"]) == (
        "Senior Backend Engineer", "Nordvik Logistik", "Engineering")
    assert engineer["url"] == "https://emp.jobylon.com/jobs/51234-nordvik-logistik-senior-backend-engineer/"
    assert engineer["apply_url"] == "https://emp.jobylon.com/applications/jobs/51234/create/"
    assert (engineer["language_method"], engineer["employment_type"]) == ("ats", "FULL_TIME")
    assert (engineer["date_posted"][:10], engineer["valid_through"][:10]) == ("2025-05-02", "2025-06-30")
    assert [(loc["city"], loc["country_code"]) for loc in engineer["locations"]] == [("Stockholm", "SE"), ("Helsinki", "FI")]
    assert "Five years or more" in engineer["description"]  # the skills follow the text

    warehouse = rows["51240:sv"]
    assert (warehouse["title"], warehouse["employment_type"]) == ("Lagermedarbetare till vårt lager i Göteborg", None)  # "Heltid": a word normalize does not know yet
    assert [(loc["city"], loc["country_code"]) for loc in warehouse["locations"]] == [("Göteborg", "SE")]

    sales = rows["51255:de"]
    assert (sales["employment_type"], sales["valid_through"]) == ("PART_TIME", None)
    assert [(loc["city"], loc["country_code"]) for loc in sales["locations"]] == [("Hamburg", "DE")]

    manager = rows["402118:sv"]  # from the widget and the job's own page
    assert manager["title"] == "Butikschef till vår butik i Uppsala - Fjällbacka Kaffe"
    assert manager["url"].endswith("/jobs/402118-fjallbacka-kaffe-butikschef-till-var-butik-i-uppsala/")
    assert (manager["company"], manager["language_method"], manager["workplace"]) == ("Fjällbacka Kaffe", "ats", "onsite")
    assert (manager["date_posted"][:10], manager["valid_through"][:10]) == ("2025-05-02", "2025-05-31")
    assert manager["description"].startswith("Vi söker en butikschef")
    assert [(loc["city"], loc["country_code"]) for loc in manager["locations"]] == [("Uppsala", "SE")]

    shop = rows["402130:en"]
    assert (shop["title"], shop["workplace"], shop["employment_type"]) == ("E-commerce Manager, Nordics", "hybrid", "FULL_TIME")
    assert [(loc["city"], loc["country_code"]) for loc in shop["locations"]] == [("Oslo", "NO"), ("Copenhagen", "DK")]

    for name in ("nordvik", "fjallbacka"):
        run = last_run(db, name)
        assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    empty_widget = (FIXTURES / "widget.html").read_text(encoding="utf-8")
    empty_widget = empty_widget[: empty_widget.index("JBL.embed_v2['jobs'] = [") + 24] + "\n];\n</script></body></html>"
    routes = {
        "GET /feeds/empty/": (200, []),
        "GET /feeds/garbled/": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /feeds/odd/": (200, ats_fixture("jobylon", "odd.json")),
        "GET /jobs/companies/7/embed/v2/": (200, empty_widget, {"Content-Type": "text/html"}),
        "GET /jobs/companies/8/embed/v2/": (200, "<html><body>Not a widget</body></html>", {"Content-Type": "text/html"}),
    }
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"jobylon-{name}", "kind": "jobylon", "url": f"https://feed.jobylon.com/feeds/{name}/",
             "endpoint": f"{origin}/feeds/{name}/?format=json"}
            for name in ("missing", "empty", "garbled", "odd")
        ] + [
            {"name": f"jobylon-widget{n}", "url": f"https://emp.jobylon.com/companies/{n}-acme/",
             "endpoint": f"{origin}/jobs/companies/{n}/embed/v2/?target=jobylon-jobs-widget"}
            for n in (7, 8)
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"jobylon-{name}") for name in ("missing", "empty", "garbled", "odd", "widget7", "widget8")}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),
        "widget7": ("complete", {"no_postings_found": 1}),
        "widget8": ("failed", {"bad_json": 1}),
    }
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["external_id"], odd["title"], odd["url"], odd["employment_type"]) == (
        "991", "List", "https://feed.jobylon.com/feeds/odd/", None)


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://feed.jobylon.com/feeds/7d7e6fd12c614aa5af3624b06f7a74b8/",
         "https://feed.jobylon.com/feeds/7d7e6fd12c614aa5af3624b06f7a74b8/?format=json"),
        ("https://feed.jobylon.com/feeds/7d7e6fd12c614aa5af3624b06f7a74b8/?format=json",
         "https://feed.jobylon.com/feeds/7d7e6fd12c614aa5af3624b06f7a74b8/?format=json"),
        ("https://emp.jobylon.com/companies/138-volumental/",
         "https://cdn.jobylon.com/jobs/companies/138/embed/v2/?target=jobylon-jobs-widget&page_size=100"),
        ("https://emp.jobylon.com/sv/companies/1955-mcdonalds-sverige/",
         "https://cdn.jobylon.com/jobs/companies/1955/embed/v2/?target=jobylon-jobs-widget&page_size=100"),
        ("https://cdn.jobylon.com/jobs/companies/2631/embed/v1/?target=x&page_size=50",
         "https://cdn.jobylon.com/jobs/companies/2631/embed/v2/?target=jobylon-jobs-widget&page_size=100"),
        ("https://emp.jobylon.com/jobs/4069-jobylon-full-stack-pythondjango-developer/", None),
        ("https://feed.jobylon.com/", None),
        ("https://acme.example/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_mapper_on_odd_jobs():
    spider = JobylonSpider(source=Source(name="odd", kind="jobylon", url="https://feed.jobylon.com/feeds/odd/"))
    assert spider.job_posting({"title": "no id"}) is None
    posting = spider.job_posting(ats_fixture("jobylon", "odd.json")[1])
    assert (posting.key, posting.title, posting.description_html, posting.department) == ("991", "List", None, None)
    assert [(loc.raw, loc.country) for loc in posting.locations] == [("7", None)]
    widget = spider.job_posting({"_widget": True, "id": "5", "locations_text": "Oslo, Bergen", "_json_ld": "x"})
    assert (widget.key, widget.url, [loc.raw for loc in widget.locations]) == ("5", spider.source.url, ["Oslo", "Bergen"])


def test_widget_parser_on_the_real_sample():
    if not REAL_WIDGET.is_file():
        pytest.skip("real samples are not on this machine")
    jobs = widget_jobs(REAL_WIDGET.read_text(encoding="utf-8"))
    assert len(jobs) == 125 and len({job["id"] for job in jobs}) == 125
    assert all(job["url"].startswith(f"/jobs/{job['id']}-") and job["title"] and job["lang"] for job in jobs)
    assert jobs[0]["title"] == "Kopia av McDonald's Varberg Nord söker nya glada medarbetare"
    assert widget_jobs("<html></html>") is None
