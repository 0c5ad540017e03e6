"""Taleo career sections: the search page (portal number), the JSON search (POST, paged) and the
posting pages served on 127.0.0.1 from fixtures in their real shapes, crawled by the real
`jobatlas crawl`; the URL forms, the location and date columns, and the mapper on odd rows."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.taleo import TaleoSpider, place, posting_date, section_url

FIXTURES = SITES / "ats" / "taleo"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SEARCH = "/careersection/rest/jobboard/searchjobs"
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGES = {"2600123": "detail-engineer.html", "2600131": "detail-quality.html", "2600140": "detail-planner.html"}


def spider(url: str = "https://acme.taleo.net/careersection/2/jobsearch.ftl?lang=en") -> TaleoSpider:
    return TaleoSpider(source=Source(name="acme", url=url))


def section_routes(section: str, pages: list[dict], page: str = "jobsearch.html") -> dict:
    def search(request):
        if request.query.get("portal") != ["101430233"] or "pageNo" not in (request.json() or {}):
            return (200, {"requisitionList": [], "careerSectionUnAvailable": True})
        number = request.json()["pageNo"]
        return (200, pages[number - 1] if number <= len(pages) else {"requisitionList": [], "pagingData": {}})

    def detail(request):
        name = PAGES.get(request.query.get("job", [""])[0], "detail-scripted.html")
        return (200, (FIXTURES / name).read_text(), HTML)

    return {
        f"GET /careersection/{section}/jobsearch.ftl": (200, (FIXTURES / page).read_text(), HTML),
        f"GET /careersection/{section}/jobdetail.ftl": detail,
        f"POST {SEARCH}": search,
    }


# -- end to end ---------------------------------------------------------------------------------


def test_section_is_crawled_field_by_field(api_server, tmp_path):
    pages = [ats_fixture("taleo", "page-1.json"), ats_fixture("taleo", "page-2.json")]
    with api_server(section_routes("10300", pages)) as (origin, requests):
        result, db = crawl_into(
            tmp_path,
            [{"name": "acme", "url": "https://acme.taleo.net/careersection/10300/jobsearch.ftl?lang=en",
              "endpoint": f"{origin}/careersection/10300/jobsearch.ftl?lang=en"}],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr

    calls = [r for r in requests if r.path != "/robots.txt"]
    assert calls[0].path == "/careersection/10300/jobsearch.ftl"
    searches = [r for r in calls if r.method == "POST"]
    assert [(r.query, r.json()) for r in searches] == [
        ({"lang": ["en"], "portal": ["101430233"]}, {"multilineEnabled": True, "pageNo": 1}),
        ({"lang": ["en"], "portal": ["101430233"]}, {"multilineEnabled": True, "pageNo": 2}),
    ]
    details = sorted(r.query["job"][0] for r in calls if r.path.endswith("jobdetail.ftl"))
    assert details == ["2600123", "2600131", "2600140", "2600152", "2600160"]

    rows = {key.split(":")[0]: row for key, row in stored_postings(db).items()}
    assert len(rows) == 5 and {row["ats"] for row in rows.values()} == {"taleo"}

    engineer = rows["2600123"]  # its page carries JSON-LD
    assert engineer["title"] == "Manufacturing Engineer"
    assert engineer["language"] == "en"
    assert engineer["url"] == "https://acme.taleo.net/careersection/10300/jobdetail.ftl?job=2600123&lang=en"
    assert engineer["date_posted"] == "2026-10-07"
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in engineer["locations"]] == [
        ("Dearborn", "MI", "US"), ("Toledo", "OH", "US"),
    ]
    assert engineer["description"].startswith("As Manufacturing Engineer you own")

    quality = rows["2600131"]  # its page carries the description block
    assert (quality["language"], quality["date_posted"]) == ("fr", "2026-09-28")
    assert [(loc["city"], loc["country_code"]) for loc in quality["locations"]] == [("Paris", "FR")]
    assert quality["description"].startswith("Rattaché(e) au responsable qualité")

    planner = rows["2600140"]
    assert planner["language"] == "de"
    assert [(loc["city"], loc["country_code"]) for loc in planner["locations"]] == [("Ingolstadt", "DE")]

    remote = rows["2600152"]  # a page filled by script: stored without a description
    assert remote["description"] is None
    assert remote["workplace"] == "remote"

    controller = rows["2600160"]  # plain-text place, numeric date (month first on an English section)
    assert controller["date_posted"] == "2026-10-01"
    assert [loc["country_code"] for loc in controller["locations"]] == ["MX"]

    assert (last_run(db, "acme")["status"], last_run(db, "acme")["problems"]) == ("complete", {})


def test_bad_sections_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    pages = [{**ats_fixture("taleo", "page-2.json"), "pagingData": {"currentPageNo": 1, "pageSize": 25, "totalCount": 2}}]
    routes = {
        **section_routes("good", pages),
        "GET /careersection/empty/jobsearch.ftl": (200, (FIXTURES / "jobsearch.html").read_text(), HTML),
        "GET /careersection/unavailable/jobsearch.ftl": (200, (FIXTURES / "unavailable.html").read_text(), HTML),
    }
    answers = {
        "empty": (200, {"requisitionList": [], "pagingData": {"currentPageNo": 1, "pageSize": 25, "totalCount": 0}}),
        "garbled": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
    }
    names = ["missing", "empty", "garbled", "unavailable", "good"]
    with api_server(routes) as (origin, _):
        # Every section searches the same path: each source gets its own server, by its search.
        servers = {}
        for name, answer in answers.items():
            servers[name] = api_server({
                f"GET /careersection/{name}/jobsearch.ftl": (200, (FIXTURES / "jobsearch.html").read_text(), HTML),
                f"POST {SEARCH}": answer,
            })
        with servers["empty"] as (empty_origin, _), servers["garbled"] as (garbled_origin, _):
            origins = {"missing": origin, "empty": empty_origin, "garbled": garbled_origin, "unavailable": origin, "good": origin}
            entries = [
                {"name": f"taleo-{name}", "url": f"https://acme.taleo.net/careersection/{name}/jobsearch.ftl?lang=en",
                 "endpoint": f"{origins[name]}/careersection/{name}/jobsearch.ftl?lang=en"}
                for name in names
            ]
            result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"taleo-{name}") for name in names}
    statuses = {name: (run["status"], run["problems"]) for name, run in runs.items()}
    assert statuses == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "unavailable": ("failed", {"bad_source_url": 1}),
        "good": ("complete", {}),
    }
    assert {key.split(":")[0] for key in stored_postings(db)} == {"2600152", "2600160"}


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tenet.taleo.net/careersection/10300/jobsearch.ftl?lang=en",
         "https://tenet.taleo.net/careersection/10300/jobsearch.ftl?lang=en"),
        ("https://ey.taleo.net/careersection/2/jobdetail.ftl?job=123&lang=en",
         "https://ey.taleo.net/careersection/2/jobsearch.ftl?lang=en"),
        ("https://barclays.taleo.net/careersection/2/jobsearch.ftl?lang=en_gb&portal=150170116559",
         "https://barclays.taleo.net/careersection/2/jobsearch.ftl?lang=en_gb"),
        ("https://acme.taleo.net/careersection/ex/jobsearch.ftl", "https://acme.taleo.net/careersection/ex/jobsearch.ftl?lang=en"),
        ("https://tenet.taleo.net/careersection/rest/jobboard/searchjobs?lang=en&portal=1", None),
        ("https://acme.taleo.net/", None),
        ("https://careers.acme.example/jobs", None),
    ],
)
def test_section_url_from_board_url(url, expected):
    assert section_url(url) == expected


def test_location_and_date_columns():
    assert [(p.city, p.region, p.country) for p in map(place, ["US-MI-Dearborn", "US-PA-Wilkes-Barre", "FR-Île-de-France-Paris"])] == [
        ("Dearborn", "MI", "US"), ("Wilkes-Barre", "PA", "US"), ("Paris", "Île-de-France", "FR"),
    ]
    assert (place("Remote - United States").city, place("Remote - United States").raw) == (None, "Remote - United States")
    assert [posting_date(d, "en") for d in ("Oct 7, 2026", "09/02/2026", "29/May/2026, 12:59:00 AM", "x", None)] == [
        "2026-10-07", "2026-09-02", "2026-05-29", None, None,
    ]
    assert posting_date("09/02/2026", "en_GB") == "2026-02-09"


@pytest.mark.parametrize(
    "job",
    [
        {},
        {"jobId": None, "column": ["no id"]},
        {"jobId": 5, "column": "Welder", "locationsColumns": "1", "linkedColumn": "x"},
        {"jobId": "6", "column": [None, 7, ["a"]], "locationsColumns": [1, 9, -1, None], "linkedColumn": 4},
        {"jobId": "7", "column": ["Welder", "[\"US-MI-", "Oct 99, 2026"], "locationsColumns": [1], "description": {}},
    ],
)
def test_mapper_on_odd_rows_never_raises(job):
    posting = spider().job_posting(job)
    assert posting is None or posting.key
