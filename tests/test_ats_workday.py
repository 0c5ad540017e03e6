"""Workday sites: the CXS list (POST, 20 at a time) and job details served on 127.0.0.1 from
fixtures in their real shapes, crawled by the real `jobatlas crawl`; the mapper on single
detail dicts; the real samples when present."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.workday import WorkdaySpider, detail_url, listing_url, site_path
from pipelines.location import resolve_country

FIXTURES = SITES / "ats" / "workday"
REAL_SAMPLES = Path(__file__).parents[2] / "shared" / "real-samples" / "workday"
FAST = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")  # no route is slow: roomy for a loaded machine
SITE = "/wday/cxs/harborline/Harborline_Careers"
BOARD_URL = "https://harborline.wd3.myworkdayjobs.com/en-US/Harborline_Careers"


def spider() -> WorkdaySpider:
    return WorkdaySpider(source=Source(name="harborline", url=BOARD_URL))


def filler_detail(entry: dict) -> dict:
    """The detail of one of the look-alike Rotterdam postings that fill the first page."""
    req = entry["bulletFields"][0]
    return {
        "jobPostingInfo": {
            "id": f"5a0b{req}",
            "title": entry["title"],
            "jobDescription": "<p>You load and unload trucks at our Rotterdam cross-dock, scan every pallet "
            "and keep the yard safe. Forklift certificate welcome, training provided.</p>",
            "location": "Rotterdam",
            "startDate": "2026-09-20",
            "timeType": "Full time",
            "jobReqId": req,
            "country": {"descriptor": "Netherlands", "id": "4b8b", "alpha2Code": "NL"},
            "externalUrl": f"https://harborline.wd3.myworkdayjobs.com/Harborline_Careers{entry['externalPath']}",
        },
        "hiringOrganization": {"name": "Harborline Logistics B.V.", "url": ""},
    }


def site_routes(site: str, pages: list[dict], details: dict[str, object]) -> dict:
    """A Workday site: the list answers the page at the body's `offset`; each detail its path."""

    def listing(request):
        body = request.json()
        if not isinstance(body, dict) or body.get("limit", 99) > 20:
            return (400, {"errorCode": "HTTP_400", "httpStatus": 400, "message": ""})
        return (200, pages[body["offset"] // 20] if body["offset"] // 20 < len(pages) else {"total": 0, "jobPostings": []})

    routes = {f"POST {site}/jobs": listing}
    routes.update({f"GET {site}{path}": (200, detail) for path, detail in details.items()})
    return routes


# -- end to end ---------------------------------------------------------------------------------


def test_site_is_crawled_field_by_field(api_server, tmp_path):
    pages = [ats_fixture("workday", "page-1.json"), ats_fixture("workday", "page-2.json")]
    details = ats_fixture("workday", "details.json")
    for page in pages:
        for entry in page["jobPostings"]:
            details.setdefault(entry["externalPath"], filler_detail(entry))
    with api_server(site_routes(SITE, pages, details)) as (origin, requests):
        # No `kind`: detected from the site URL; `endpoint` replaces the `.../jobs` list URL.
        result, db = crawl_into(tmp_path, [{"name": "harborline", "url": BOARD_URL, "endpoint": f"{origin}{SITE}/jobs"}], *FAST)
    assert result.returncode == 0, result.stderr

    api_calls = [r for r in requests if r.path != "/robots.txt"]
    lists = [r for r in api_calls if r.method == "POST"]
    assert [r.json() for r in lists] == [
        {"appliedFacets": {}, "limit": 20, "offset": 0, "searchText": ""},
        {"appliedFacets": {}, "limit": 20, "offset": 20, "searchText": ""},
    ]
    assert {r.path for r in lists} == {f"{SITE}/jobs"}
    detail_paths = sorted(r.path for r in api_calls if r.method == "GET")
    assert detail_paths == sorted(f"{SITE}{path}" for path in details)  # one detail per posting, 23

    rows = stored_postings(db)
    assert len(rows) == 23
    assert {"R1001:de", "R1002:fr", "R1003:en", "R1004:en", "R1005:es"} <= set(rows)
    assert {row["language_method"] for row in rows.values()} == {"detected"}  # Workday states none

    lagerist = rows["R1001:de"]
    assert lagerist["title"] == "Lagerist (m/w/d)"
    assert lagerist["url"] == "https://harborline.wd3.myworkdayjobs.com/Harborline_Careers/job/Hamburg/Lagerist--m-w-d-_R1001"
    assert lagerist["company"] == "Harborline Logistics GmbH"
    assert (lagerist["employment_type"], lagerist["workplace"]) == ("FULL_TIME", "onsite")
    # `startDate`, not the relative "Posted 30+ Days Ago" of the list.
    assert lagerist["date_posted"] == "2026-08-18"
    assert [(loc["city"], loc["country_code"]) for loc in lagerist["locations"]] == [("Hamburg", "DE")]
    assert lagerist["description"].startswith("Deine Aufgaben\nDu nimmst Waren an")
    assert "<" not in lagerist["description"] and "<li>" in lagerist["description_html"]

    lyon = rows["R1002:fr"]
    assert lyon["title"] == "Responsable d'entrepôt"
    assert [(loc["city"], loc["country_code"]) for loc in lyon["locations"]] == [("Lyon", "FR"), ("Marseille", "FR")]
    assert (lyon["date_posted"], lyon["valid_through"]) == ("2026-09-10", "2026-11-30")

    analyst = rows["R1003:en"]  # "3 Locations" in the list; the detail names them
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in analyst["locations"]] == [
        ("Newark", "NJ", "US"), ("Houston", "TX", "US"), ("Savannah", "GA", "US"),
    ]
    assert "3 Locations" not in {loc["raw"] for row in rows.values() for loc in row["locations"]}

    dispatcher = rows["R1004:en"]
    assert (dispatcher["workplace"], dispatcher["employment_type"]) == ("remote", "PART_TIME")
    assert [(loc["country_code"], loc["remote"]) for loc in dispatcher["locations"]] == [("US", 1)]

    spanish = rows["R1005:es"]
    assert (spanish["title"], spanish["company"]) == ("Coordinador de transporte", "Harborline Iberia S.L.")
    assert [(loc["city"], loc["country_code"]) for loc in spanish["locations"]] == [("Valencia", "ES")]

    # The posting's country places "Rotterdam" in the Netherlands, not in New York state.
    fillers = [row for key, row in rows.items() if key.startswith("R2")]
    assert len(fillers) == 18
    assert {(loc["city"], loc["country_code"]) for row in fillers for loc in row["locations"]} == {("Rotterdam", "NL")}
    assert len({row["translation_group"] for row in rows.values()}) == 23

    assert (last_run(db, "harborline")["status"], last_run(db, "harborline")["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("NL", 18), ("US", 2)]
    assert [(r["country_code"], r["country"], r["jobs"]) for r in countries_json(db, "fr")] == [("FR", "France", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    odd = ats_fixture("workday", "odd.json")
    truncated_page = {
        "total": 30,
        "jobPostings": [
            {"title": f"Porter {n}", "externalPath": f"/job/Gdansk/Porter-{n}_R40{n}", "locationsText": "Gdansk",
             "postedOn": "Posted Today", "bulletFields": [f"R40{n}"]}
            for n in range(3)
        ],
    }
    routes = {
        "POST /wday/cxs/empty/Careers/jobs": (200, {"total": 0, "jobPostings": [], "facets": []}),
        "POST /wday/cxs/garbled/Careers/jobs": (200, '{"total": 3, "jobPostings": [{"title": "Cut', {"Content-Type": "application/json"}),
        "POST /wday/cxs/busy/Careers/jobs": (429, {"errorCode": "HTTP_429"}),
        **site_routes("/wday/cxs/truncated/Careers", [truncated_page], {e["externalPath"]: filler_detail(e) for e in truncated_page["jobPostings"]}),
        **site_routes(
            "/wday/cxs/odd/Careers",
            [{"total": 3, "jobPostings": [
                {"title": "Crane Operator", "externalPath": "/job/Antwerp/Crane-Operator_R3001"},
                {"title": "Shapeless", "externalPath": "/job/Antwerp/Shapeless_R3002"},
                {"title": "Filled meanwhile", "externalPath": "/job/Antwerp/Filled_R3003"},  # its detail is gone: 404
                {"title": "No path"}, "junk", None,
            ]}],
            odd,
        ),
    }
    names = ["missing", "empty", "garbled", "busy", "truncated", "odd"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"wd-{name}", "url": f"https://{name}.wd5.myworkdayjobs.com/Careers", "endpoint": f"{origin}/wday/cxs/{name}/Careers/jobs"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *FAST)

    assert result.returncode == 1, result.stderr  # a source failed as a whole
    runs = {name: last_run(db, f"wd-{name}") for name in names}
    assert {name: run["status"] for name, run in runs.items()} == {
        "missing": "failed", "empty": "complete", "garbled": "failed", "busy": "failed", "truncated": "partial", "odd": "partial",
    }
    assert runs["missing"]["problems"] == {"http_404": 1}
    assert (runs["empty"]["problems"], runs["empty"]["errors"]) == ({"no_postings_found": 1}, 0)
    assert runs["garbled"]["problems"] == {"bad_json": 1}
    assert runs["busy"]["problems"] == {"http_429": 1}
    assert runs["truncated"]["problems"] == {"truncated_listing": 1}
    assert "total is 30, the listing ended at offset 0 after 3" in runs["truncated"]["problem_examples"][0]["detail"]
    assert runs["odd"]["problems"] == {"bad_json": 1, "http_404": 1}

    assert query(db, "SELECT COUNT(*) AS n FROM jobs WHERE source = 'wd-truncated'") == [{"n": 3}]
    # Numbers where strings belong are coerced; a country given as a bare name still places the job.
    odd_rows = query(db, "SELECT * FROM jobs WHERE source = 'wd-odd'")
    assert [(r["title"], r["external_id"], r["employment_type"], r["date_posted"], r["company"]) for r in odd_rows] == [
        ("404", "3001", "FULL_TIME", "2026-09-01", None),
    ]
    assert [(loc["city"], loc["country_code"]) for loc in query(db, "SELECT * FROM job_locations WHERE job_id = ?", odd_rows[0]["id"])] == [
        ("Antwerp", "BE"),
    ]
    assert odd_rows[0]["url"] == "https://odd.wd5.myworkdayjobs.com/Careers/job/Antwerp/Crane-Operator_R3001"


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site_url", "path", "expected"),
    [
        ("https://harborline.wd3.myworkdayjobs.com/Harborline_Careers", "/Harborline_Careers",
         "https://harborline.wd3.myworkdayjobs.com/wday/cxs/harborline/Harborline_Careers/jobs"),
        ("https://harborline.wd3.myworkdayjobs.com/en-US/Harborline_Careers/", "/en-US/Harborline_Careers",
         "https://harborline.wd3.myworkdayjobs.com/wday/cxs/harborline/Harborline_Careers/jobs"),
        ("https://Harborline.wd12.myworkdayjobs.com/fr-FR/External/job/Lyon/Chef_R9", "/fr-FR/External",
         "https://harborline.wd12.myworkdayjobs.com/wday/cxs/harborline/External/jobs"),
        ("https://aig.wd1.myworkdayjobs.com/aig", "/aig", "https://aig.wd1.myworkdayjobs.com/wday/cxs/aig/aig/jobs"),
        ("https://harborline.wd3.myworkdayjobs.com/", None, None),
        ("https://careers.harborline.com/jobs", None, None),
    ],
)
def test_listing_url_from_site_url(site_url, path, expected):
    assert site_path(site_url) == path
    assert listing_url(site_url) == expected


def test_detail_url_replaces_the_trailing_jobs():
    assert detail_url("http://127.0.0.1:8080/wday/cxs/t/Site/jobs", "/job/Berlin/Engineer_R1") == "http://127.0.0.1:8080/wday/cxs/t/Site/job/Berlin/Engineer_R1"
    assert detail_url("https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site/jobs/", "job/X_R2") == "https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site/job/X_R2"


def test_mapper_on_one_detail():
    detail = ats_fixture("workday", "details.json")["/job/Lyon/Responsable-d-entrept_R1002"]
    posting = spider().job_posting(detail)
    assert (posting.key, posting.external_id, posting.title) == ("3e1c0a7f2b9d10019a4c5e7d11200001", "R1002", "Responsable d'entrepôt")
    assert posting.company == "Harborline France SAS"
    assert [(loc.raw, loc.country) for loc in posting.locations] == [("Lyon", "FR"), ("Marseille", None)]
    assert (posting.country_hint, posting.employment_type_raw, posting.date_posted_raw, posting.valid_through_raw) == (
        "FR", "Full time", "2026-09-10", "2026-11-30",
    )
    assert posting.stated_language is None and posting.translation_key is None and posting.workplace_raw is None

    # Without an externalUrl the posting page is built from the site URL, locale included.
    info = dict(detail["jobPostingInfo"], externalUrl=None)
    page = spider()._posting_page("/job/Lyon/Responsable-d-entrept_R1002")
    assert page == "https://harborline.wd3.myworkdayjobs.com/en-US/Harborline_Careers/job/Lyon/Responsable-d-entrept_R1002"
    assert spider().job_posting({"jobPostingInfo": info}, page).url == page
    assert spider().job_posting({"jobPostingInfo": {"title": "no id"}}) is None
    assert spider().job_posting({"jobPostingInfo": "not an object"}) is None


def _real_details() -> list[dict]:
    """The raw CXS job details in the real samples: the scraper output's `_raw_detail`s and the
    SpiderCloud wrappers' `<pre>` bodies."""
    if not REAL_SAMPLES.is_dir():
        pytest.skip("real samples not available")
    details = []
    for path in sorted(REAL_SAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list) and data and isinstance(data[0], dict) and "_raw_detail" in data[0]:
            details += [record["_raw_detail"] for record in data]
        elif "detail_api" in path.name:
            raw = data[0][0]["content"]["raw"]
            details.append(json.loads(html.unescape(re.search(r"<pre>(.*)</pre>", raw, re.DOTALL).group(1))))
    return details


def test_mapper_on_the_real_samples():
    details = _real_details()
    assert len(details) >= 20
    postings = [spider().job_posting(detail) for detail in details]
    assert all(posting is not None and posting.title for posting in postings)
    assert len({posting.key for posting in postings}) == len(postings)
    assert all(resolve_country(posting.country_hint) for posting in postings)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", posting.date_posted_raw) for posting in postings)
    assert all(posting.locations and posting.locations[0].country == posting.country_hint for posting in postings)
    assert all(posting.url.startswith("https://") and "myworkdayjobs.com" in posting.url for posting in postings)
    assert all(posting.company and posting.description_html for posting in postings)
    # "5 Locations" in the list is one primary place and four additional ones in the detail.
    assert max(len(posting.locations) for posting in postings) >= 5
    assert {posting.employment_type_raw for posting in postings} == {"Full time"}
