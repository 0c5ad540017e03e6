"""JOIN boards: the board page (its __NEXT_DATA__), the paged public jobs API and each job's
detail served on 127.0.0.1 from fixtures in their real shapes, crawled by the real `jobatlas
crawl`; the board URL of each URL form; the mapper on odd jobs."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.join import JoinSpider, listing_url

FIXTURES = SITES / "ats" / "join"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
HTML = {"Content-Type": "text/html; charset=utf-8"}
BOARD = "https://join.com/companies/nordlicht-robotics"
JOBS = "/api/public/companies/184467/jobs"
IDS = range(9100001, 9100007)


def spider() -> JoinSpider:
    return JoinSpider(source=Source(name="nordlicht", url=BOARD))


def html(name: str) -> tuple[int, str, dict[str, str]]:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), HTML


def listing(request):
    return 200, ats_fixture("join", f"jobs-page-{request.query['page'][0]}.json")


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    routes = {"GET /companies/nordlicht-robotics": html("board.html"), f"GET {JOBS}": listing}
    routes |= {f"GET /api/public/jobs/{n}": (200, ats_fixture("join", f"job-{n}.json")) for n in IDS}
    with api_server(routes) as (origin, requests):
        entry = {"name": "nordlicht", "url": BOARD, "endpoint": f"{origin}/companies/nordlicht-robotics"}
        result, db = crawl_into(tmp_path, [entry], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    seen = [(r.path, r.query) for r in requests if r.path != "/robots.txt"]
    # The board page for the company id, two listing pages of five, a detail per job.
    assert seen[0] == ("/companies/nordlicht-robotics", {})
    assert [query for path, query in seen if path == JOBS] == [
        {"locale": ["en"], "page": ["1"], "pageSize": ["5"]},
        {"locale": ["en"], "page": ["2"], "pageSize": ["5"]},
    ]
    assert sorted(path for path, _ in seen if path.startswith("/api/public/jobs/")) == [f"/api/public/jobs/{n}" for n in IDS]
    assert all(query == {"locale": ["en"]} for path, query in seen if path.startswith("/api/public/jobs/"))

    rows = stored_postings(db)
    assert set(rows) == {"9100001:de", "9100002:en", "9100003:fr", "9100004:de", "9100005:en", "9100006:es"}
    assert {row["ats"] for row in rows.values()} == {"join"}

    backend = rows["9100001:de"]
    assert (backend["title"], backend["url"], backend["department"]) == (
        "Senior Backend Engineer (m/w/d)",
        f"{BOARD}/9100001-senior-backend-engineer-m-w-d",
        "Engineering",
    )
    assert (backend["employment_type"], backend["workplace"], backend["date_posted"]) == (
        "FULL_TIME", "hybrid", "2025-05-06T08:12:44+00:00",
    )
    # Amounts in cents: 65,000-80,000 EUR a year.
    assert (backend["salary_min"], backend["salary_max"], backend["salary_currency"], backend["salary_period"]) == (
        65000.0, 80000.0, "EUR", "YEAR",
    )
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in backend["locations"]] == [("Berlin", "DE", 0)]
    assert backend["description"].startswith("Bei Nordlicht Robotics bauen wir Software")

    success = rows["9100002:en"]
    assert (success["workplace"], success["salary_min"]) == ("remote", None)
    assert [(loc["country_code"], loc["remote"]) for loc in success["locations"]] == [("GB", 1)]

    clients = rows["9100003:fr"]
    assert (clients["employment_type"], clients["workplace"]) == ("PART_TIME", "onsite")
    assert (clients["salary_min"], clients["salary_max"], clients["salary_period"]) == (2500.0, 3000.0, "MONTH")
    assert [(loc["city"], loc["country_code"]) for loc in clients["locations"]] == [("Lyon", "FR")]

    student = rows["9100004:de"]  # no `description`: the sections, joined
    assert all(part in student["description"] for part in ("Du studierst Marketing", "sozialen Netzwerken", "zwanzig Wochenstunden"))
    assert (student["salary_min"], student["salary_max"], student["salary_period"]) == (18.0, 20.0, "HOUR")
    assert [loc["country_code"] for loc in student["locations"]] == ["AT"]

    assert [loc["country_code"] for loc in rows["9100005:en"]["locations"]] == ["CH"]
    frontend = rows["9100006:es"]  # from the second listing page
    assert (frontend["title"], frontend["workplace"]) == ("Desarrollador Frontend", "remote")
    assert [(loc["country_code"], loc["remote"]) for loc in frontend["locations"]] == [("ES", 1)]

    run = last_run(db, "nordlicht")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    empty_page = html("board.html")[1].replace("184467", "555")
    routes = {
        "GET /companies/gone": html("gone.html"),  # JOIN's soft 404
        "GET /companies/empty": (200, empty_page, HTML),
        "GET /api/public/companies/555/jobs": (200, {"items": [], "pagination": {"pageCount": 0, "rowCount": 0}}),
        "GET /companies/garbled": html("garbled.html"),
        "GET /api/public/companies/777/jobs": (200, "<html>oops", {"Content-Type": "application/json"}),
        "GET /companies/good": html("board.html"),
        f"GET {JOBS}": (200, {"items": ats_fixture("join", "jobs-page-2.json")["items"] + [{"title": "no id"}]}),
        "GET /api/public/jobs/9100006": (200, ats_fixture("join", "job-9100006.json")),
    }
    names = ["missing", "gone", "empty", "garbled", "brokenapi", "good"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"join-{name}", "url": f"https://join.com/companies/{name}", "endpoint": f"{origin}/companies/{name}"}
            for name in names[:4] + names[5:]
        ]
        entries.insert(4, {"name": "join-brokenapi", "url": "https://join.com/companies/brokenapi",
                           "endpoint": f"{origin}/api/public/companies/777/jobs?locale=en"})
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"join-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "gone": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "brokenapi": ("failed", {"bad_json": 1}),
        "good": ("partial", {"bad_posting": 1}),
    }
    [good] = query(db, "SELECT * FROM jobs")
    assert (good["source"], good["external_id"], good["title"]) == ("join-good", "9100006", "Desarrollador Frontend")


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD, BOARD),
        ("https://join.com/companies/nordlicht-robotics/", BOARD),
        (f"{BOARD}/9100001-senior-backend-engineer-m-w-d", BOARD),
        ("https://join.com/companies/nordlicht-robotics?pid=abc", BOARD),
        ("https://join.com/", None),
        ("https://join.com/jobs/9100001", None),
        ("https://nordlicht.example/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


@pytest.mark.parametrize(
    "job",
    [
        {},
        {"id": 1, "city": "Berlin", "category": ["x"], "employmentType": 5, "salaryAmountFrom": "1000"},
        {"id": "2", "city": None, "salaryAmountFrom": {"amount": "n/a"}, "salaryAmountTo": {"amount": True}},
        {"id": 3, "title": None, "city": {"cityName": 7}, "workplaceType": ["REMOTE"], "salaryFrequency": {"x": 1}},
    ],
)
def test_mapper_on_odd_jobs_never_raises(job):
    posting = spider().job_posting(job)
    assert posting is None if "id" not in job else posting.key == str(job["id"])


def test_mapper_on_one_job():
    job = {**ats_fixture("join", "jobs-page-1.json")["items"][3], **ats_fixture("join", "job-9100004.json")}
    posting = spider().job_posting(spider().merge_detail(ats_fixture("join", "jobs-page-1.json")["items"][3], job))
    assert (posting.key, posting.employment_type_raw, posting.workplace_raw) == ("9100004", "Working student", "ONSITE")
    assert [(loc.city, loc.region, loc.country, loc.remote) for loc in posting.locations] == [("Wien", "Wien", "Austria", False)]
    assert posting.salary_raw["value"]["minValue"] == 18.0 and posting.salary_raw["currency"] == "EUR"
    assert posting.stated_language is None
