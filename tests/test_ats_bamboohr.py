"""BambooHR career sites: the careers list and detail JSON served on 127.0.0.1 from fixtures in
their real shapes, crawled by the real `jobatlas crawl`; the mapper on odd job dicts."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.bamboohr import BambooHRSpider, listing_url
from pipelines.normalize import salary

FIXTURES = SITES / "ats" / "bamboohr"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD_URL = "https://northtide.bamboohr.com/careers"


def spider() -> BambooHRSpider:
    return BambooHRSpider(source=Source(name="northtide", url=BOARD_URL))


def test_site_is_crawled_field_by_field(api_server, tmp_path):
    routes = {"GET /careers/list": (200, ats_fixture("bamboohr", "list.json"))}
    routes |= {f"GET /careers/{n}/detail": (200, ats_fixture("bamboohr", f"detail_{n}.json")) for n in range(101, 105)}
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "northtide", "url": BOARD_URL, "endpoint": f"{origin}/careers/list"}], *CRAWL_SETTINGS
        )
    assert result.returncode == 0, result.stderr
    paths = [r.path for r in requests if r.path != "/robots.txt"]
    assert paths[0] == "/careers/list"
    assert sorted(paths[1:]) == [f"/careers/{n}/detail" for n in range(101, 105)]

    rows = stored_postings(db)
    assert set(rows) == {"101:en", "102:de", "103:fr", "104:en"}
    assert {row["ats"] for row in rows.values()} == {"bamboohr"}

    engineer = rows["101:en"]
    assert (engineer["title"], engineer["url"], engineer["department"]) == (
        "Senior Backend Engineer",
        "https://northtide.bamboohr.com/careers/101",
        "Engineering",
    )
    assert (engineer["employment_type"], engineer["workplace"], engineer["date_posted"]) == ("FULL_TIME", "hybrid", "2025-05-02")
    assert (engineer["salary_min"], engineer["salary_max"], engineer["salary_currency"], engineer["salary_period"]) == (
        120000.0, 150000.0, "USD", "YEAR",
    )
    assert [(loc["city"], loc["region"], loc["country_code"], loc["remote"]) for loc in engineer["locations"]] == [
        ("Denver", "Colorado", "US", 0)
    ]
    assert engineer["description"].startswith("About the role\nNorthtide builds")

    sales = rows["102:de"]
    assert (sales["workplace"], sales["salary_min"], sales["salary_max"], sales["salary_currency"], sales["salary_period"]) == (
        "onsite", 55000.0, 65000.0, "EUR", "YEAR",
    )
    assert [(loc["city"], loc["country_code"]) for loc in sales["locations"]] == [("München", "DE")]

    marketing = rows["103:fr"]
    assert (marketing["workplace"], marketing["employment_type"], marketing["salary_min"]) == ("remote", "CONTRACTOR", None)
    assert [(loc["country_code"], loc["remote"]) for loc in marketing["locations"]] == [("FR", 1)]

    support = rows["104:en"]  # a legacy site: flat location fields
    assert (support["employment_type"], support["salary_min"], support["salary_currency"], support["salary_period"]) == (
        "PART_TIME", 24.0, "CAD", "HOUR",
    )
    assert [(loc["city"], loc["country_code"]) for loc in support["locations"]] == [("Toronto", "CA")]

    assert (last_run(db, "northtide")["status"], last_run(db, "northtide")["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("CA", 1), ("US", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/careers/list": (200, {"meta": {"totalCount": 0}, "result": []}),
        "GET /garbled/careers/list": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /good/careers/list": (200, {"result": [ats_fixture("bamboohr", "list.json")["result"][0]]}),
        "GET /good/careers/101/detail": (200, ats_fixture("bamboohr", "detail_101.json")),
    }
    names = ["missing", "empty", "garbled", "good"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"bamboo-{name}", "url": f"https://{name}.bamboohr.com/careers", "endpoint": f"{origin}/{name}/careers/list"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"bamboo-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "good": ("complete", {}),
    }
    assert [(row["title"], row["url"]) for row in stored_postings(db).values()] == [
        ("Senior Backend Engineer", "https://good.bamboohr.com/careers/101")
    ]


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://northtide.bamboohr.com/careers", "https://northtide.bamboohr.com/careers/list"),
        ("https://northtide.bamboohr.com/careers/184", "https://northtide.bamboohr.com/careers/list"),
        ("https://northtide.bamboohr.com/jobs/", "https://northtide.bamboohr.com/careers/list"),
        ("https://northtide.bamboohr.com/jobs/embed2.php", "https://northtide.bamboohr.com/careers/list"),
        ("https://app.bamboohr.com/careers", None),
        ("https://www.bamboohr.com/", None),
        ("https://northtide.example/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_detail_url_follows_the_endpoint():
    source = Source(name="n", url=BOARD_URL, endpoint="http://127.0.0.1:8000/mirror/careers/list")
    assert BambooHRSpider(source=source).detail_url({"id": "7"}) == "http://127.0.0.1:8000/mirror/careers/7/detail"
    assert spider().detail_url({"id": 7}) == "https://northtide.bamboohr.com/careers/7/detail"


@pytest.mark.parametrize(
    "job",
    [
        {"id": 5},
        {"id": "5", "jobOpeningName": ["x"], "location": "Berlin", "atsLocation": [], "locationType": 1, "compensation": 12},
        {"id": "5", "location": {"city": 3, "state": {"a": 1}}, "description": None, "isRemote": "yes", "datePosted": 20250101},
        {"id": "5", "locationType": "1", "compensation": "Competitive", "employmentStatusLabel": None},
    ],
)
def test_mapper_on_odd_jobs_never_raises(job):
    posting = spider().job_posting(job)
    assert posting.key == "5" and posting.url == "https://northtide.bamboohr.com/careers/5"


def test_mapper_without_id_and_remote_without_place():
    assert spider().job_posting({"jobOpeningName": "no id"}) is None
    remote = spider().job_posting({"id": "9", "locationType": "1"})
    assert remote.workplace_raw == "remote"
    assert [(loc.raw, loc.remote) for loc in remote.locations] == [("Remote", True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$105k - $125k", (105000.0, 125000.0, "USD", None)),
        ("€4.500,50 per month", (4500.5, 4500.5, "EUR", "MONTH")),
        ("GBP 40,000 annually", (40000.0, 40000.0, "GBP", "YEAR")),
        ("45.000 € - 55.000 € brutto pro Jahr", (45000.0, 55000.0, "EUR", "YEAR")),
        ("Competitive", (None, None, None, None)),
    ],
)
def test_pay_written_as_text_is_read_by_the_normalize_step(text, expected):
    assert salary(text) == expected
