"""UKG Pro Recruiting (UltiPro) boards: the search (POST, 50 at a time) and the posting pages
served on 127.0.0.1 from fixtures in their real shapes, crawled by the real `jobatlas crawl`;
the URL forms and the mapper on odd opportunities."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.ukg import UKGSpider, listing_url, page_description

FIXTURES = SITES / "ats" / "ukg"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
GUID = "6c4b2a7e-5d1f-4c3e-9a8b-0f1e2d3c4b5a"
BOARD = f"/SOU1036SOUND/JobBoard/{GUID}"
BOARD_URL = f"https://recruiting.ultipro.com{BOARD}/"
PAGES = {  # opportunity id → its posting page
    "3f1c9a40-1111-4a6b-9c1e-5d2a0b7e0001": "detail-planner.html",
    "3f1c9a40-2222-4a6b-9c1e-5d2a0b7e0002": "detail-operations.html",
    "3f1c9a40-3333-4a6b-9c1e-5d2a0b7e0003": "detail-none.html",
    "3f1c9a40-4444-4a6b-9c1e-5d2a0b7e0004": "detail-software.html",
    "3f1c9a40-5555-4a6b-9c1e-5d2a0b7e0005": "detail-support.html",
}


def spider(url: str = BOARD_URL) -> UKGSpider:
    return UKGSpider(source=Source(name="sound", url=url))


def filler(n: int) -> dict:
    return {"Id": f"9e000000-0000-4000-8000-{n:012d}", "Title": f"Bus Operator {n}", "RequisitionNumber": f"OPERA{n:06d}",
            "FullTime": True, "JobCategoryName": "Operations", "BriefDescription": "Drive our buses.",
            "PostedDate": "2026-08-01T00:00:00Z",
            "Locations": [{"LocalizedName": "Tacoma", "Address": {"City": "Tacoma", "State": {"Code": "WA"}, "Country": {"Code": "USA"}}}]}


def board_routes(board: str, pages: list[dict]) -> dict:
    """A board: the search answers the page at the body's Skip; posting pages by opportunityId."""

    def search(request):
        body = request.json()
        query = body["opportunitySearch"] if isinstance(body, dict) else {}
        if query.get("Top") != 50 or "matchCriteria" not in body:
            return (200, {"opportunities": [], "totalCount": None})  # what a bare body gets
        index = query["Skip"] // 50
        return (200, pages[index] if index < len(pages) else {"opportunities": [], "totalCount": 0})

    def detail(request):
        name = PAGES.get(request.query.get("opportunityId", [""])[0])
        page = (FIXTURES / name).read_text() if name else "<html><body><script>var o = {\"Description\":\"\\u003cp\\u003eDrive our buses safely on time.\\u003c/p\\u003e\"};</script></body></html>"
        return (200, page, {"Content-Type": "text/html; charset=utf-8"})

    return {f"POST {board}/JobBoardView/LoadSearchResults": search, f"GET {board}/OpportunityDetail": detail}


# -- end to end ---------------------------------------------------------------------------------


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    first = ats_fixture("ukg", "page-1.json")
    first["opportunities"] += [filler(n) for n in range(1, 48)]  # a full first page: 50
    pages = [first, ats_fixture("ukg", "page-2.json")]
    with api_server(board_routes(BOARD, pages)) as (origin, requests):
        result, db = crawl_into(
            tmp_path,
            [{"name": "sound", "url": BOARD_URL, "endpoint": f"{origin}{BOARD}/JobBoardView/LoadSearchResults"}],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr

    calls = [r for r in requests if r.path != "/robots.txt"]
    searches = [r.json()["opportunitySearch"] for r in calls if r.method == "POST"]
    assert [(s["Top"], s["Skip"]) for s in searches] == [(50, 0), (50, 50)]
    details = sorted(r.query["opportunityId"][0] for r in calls if r.method == "GET")
    assert len(details) == 52 and set(PAGES) <= set(details)  # one posting page each

    rows = stored_postings(db)
    assert len(rows) == 52
    assert {"PLANN001234:en", "OPERA001240:fr", "MAINT001251:es", "SOFTW001260:de", "CUSTO001270:en"} <= set(rows)
    assert {row["ats"] for row in rows.values()} == {"ukg"}

    planner = rows["PLANN001234:en"]
    assert planner["title"] == "Senior Transit Planner"
    assert planner["url"] == f"https://recruiting.ultipro.com{BOARD}/OpportunityDetail?opportunityId=3f1c9a40-1111-4a6b-9c1e-5d2a0b7e0001"
    assert planner["apply_url"].startswith(f"https://recruiting.ultipro.com{BOARD}/OpportunityApply?opportunityId=")
    assert (planner["department"], planner["employment_type"], planner["workplace"]) == ("Planning", "FULL_TIME", "onsite")
    assert planner["date_posted"] == "2026-08-14T16:05:00+00:00"
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in planner["locations"]] == [("Seattle", "WA", "US")]
    # The page's full text, not the teaser of the list.
    assert planner["description"].startswith("About the role\nAs Senior Transit Planner")
    assert "<" not in planner["description"] and "<li>" in planner["description_html"]

    operations = rows["OPERA001240:fr"]
    assert (operations["title"], operations["employment_type"]) == ("Coordonnateur(trice) des opérations", "PART_TIME")
    assert [(loc["city"], loc["country_code"]) for loc in operations["locations"]] == [("Montréal", "CA")]
    assert operations["description"].startswith("Votre rôle")

    technician = rows["MAINT001251:es"]  # its page carries no description: the teaser is kept
    assert technician["description"].startswith("Buscamos un técnico de mantenimiento")
    assert [(loc["city"], loc["country_code"]) for loc in technician["locations"]] == [("Monterrey", "MX")]

    developer = rows["SOFTW001260:de"]  # the page's JSON HTML-escaped in an attribute
    assert developer["description"].startswith("Deine Aufgaben")
    assert developer["workplace"] == "hybrid"
    assert [(loc["city"], loc["country_code"]) for loc in developer["locations"]] == [("Berlin", "DE"), ("München", "DE")]

    support = rows["CUSTO001270:en"]
    assert support["workplace"] == "remote"
    assert [loc["country_code"] for loc in support["locations"]] == ["US"]
    assert support["salary_min"] is None  # UKG boards state no pay

    assert (last_run(db, "sound")["status"], last_run(db, "sound")["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("DE", 1)]


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    good = f"/GOO1000GOOD/JobBoard/{GUID}"
    routes = {
        f"POST /EMP1000EMPTY/JobBoard/{GUID}/JobBoardView/LoadSearchResults": (200, {"opportunities": [], "totalCount": 0}),
        f"POST /GAR1000GARBLED/JobBoard/{GUID}/JobBoardView/LoadSearchResults": (
            200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"},
        ),
        **board_routes(good, [{**ats_fixture("ukg", "page-2.json"), "totalCount": 2}]),
    }
    names = {"missing": "MIS1000MISSING", "empty": "EMP1000EMPTY", "garbled": "GAR1000GARBLED", "good": "GOO1000GOOD"}
    with api_server(routes) as (origin, _):
        entries = [
            {
                "name": f"ukg-{name}",
                "url": f"https://recruiting2.ultipro.com/{tenant}/JobBoard/{GUID}/",
                "endpoint": f"{origin}/{tenant}/JobBoard/{GUID}/JobBoardView/LoadSearchResults",
            }
            for name, tenant in names.items()
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"ukg-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "good": ("complete", {}),
    }
    rows = stored_postings(db)
    assert set(rows) == {"SOFTW001260:de", "CUSTO001270:en"}
    assert rows["SOFTW001260:de"]["url"].startswith(f"https://recruiting2.ultipro.com/GOO1000GOOD/JobBoard/{GUID}/OpportunityDetail?")


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD_URL, f"https://recruiting.ultipro.com{BOARD}/JobBoardView/LoadSearchResults"),
        (f"https://recruiting.ultipro.com{BOARD}", f"https://recruiting.ultipro.com{BOARD}/JobBoardView/LoadSearchResults"),
        (
            f"https://recruiting2.ultipro.com/NIK1001NIKON/JobBoard/{GUID}/OpportunityDetail?opportunityId=abc",
            f"https://recruiting2.ultipro.com/NIK1001NIKON/JobBoard/{GUID}/JobBoardView/LoadSearchResults",
        ),
        (
            f"https://recruiting.ultipro.ca/MAC5000MCDW/JobBoard/{GUID}/?q=&o=postedDateDesc",
            f"https://recruiting.ultipro.ca/MAC5000MCDW/JobBoard/{GUID}/JobBoardView/LoadSearchResults",
        ),
        (
            f"https://vaneck.rec.pro.ukg.net/VAN1502VEAC/JobBoard/{GUID}/",
            f"https://vaneck.rec.pro.ukg.net/VAN1502VEAC/JobBoard/{GUID}/JobBoardView/LoadSearchResults",
        ),
        ("https://recruiting.ultipro.com/SOU1036SOUND/", None),
        ("https://www.soundtransit.org/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


@pytest.mark.parametrize(
    "job",
    [
        {},
        {"Id": None, "Title": "no id"},
        {"Id": 7, "Title": ["list"], "FullTime": "yes", "JobLocationType": 2, "PostedDate": 0, "Locations": "Tacoma"},
        {"Id": "x", "Locations": [None, "Seattle", {"Address": "Seattle"}, {"Address": {"State": "WA", "Country": ["USA"]}}]},
        {"Id": "y", "Description": {"html": 1}, "BriefDescription": 5, "RequisitionNumber": {}},
    ],
)
def test_mapper_on_odd_opportunities_never_raises(job):
    posting = spider().job_posting(job)
    assert posting is None or posting.key


def test_mapper_on_one_opportunity():
    job = ats_fixture("ukg", "page-2.json")["opportunities"][0]
    posting = spider(f"https://recruiting.ultipro.ca/MAC5000MCDW/JobBoard/{GUID}").job_posting(job)
    assert (posting.key, posting.external_id, posting.employment_type_raw, posting.workplace_raw) == (
        "3f1c9a40-4444-4a6b-9c1e-5d2a0b7e0004", "SOFTW001260", "Full-time", "Hybrid",
    )
    assert posting.description_html == "Echtzeitdaten für Fahrgäste."  # no page read: the teaser
    assert posting.country_hint == "CA"
    assert [(loc.raw, loc.city, loc.region, loc.country, loc.postal_code) for loc in posting.locations] == [
        ("Berlin", "Berlin", "BE", "DEU", "10115"), ("München", "München", "BY", "DEU", "80331"),
    ]


def test_description_is_read_from_the_page_or_not_at_all():
    assert page_description((FIXTURES / "detail-planner.html").read_text()).startswith("<p><strong>About the role")
    assert page_description((FIXTURES / "detail-software.html").read_text()).startswith("<p><strong>Deine Aufgaben")
    assert page_description((FIXTURES / "detail-none.html").read_text()) is None
    assert page_description('{"BriefDescription":"teaser","LocalizedDescription":"Seattle"}') is None
    assert page_description('{"Description":"broken') is None
