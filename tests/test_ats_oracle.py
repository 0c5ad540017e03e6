"""Oracle Recruiting Cloud sites: the candidate-experience REST resources served on 127.0.0.1
from fixtures in their real shapes, crawled by the real `jobatlas crawl`; the mapper on odd dicts."""

from __future__ import annotations

import re

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, stored_postings

from crawler.sources import Source
from crawler.spiders.oracle import OracleSpider, listing_url, site_number

FIXTURES = SITES / "ats" / "oracle"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
LIST = "/hcmRestApi/resources/latest/recruitingCEJobRequisitions"
DETAIL = "/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails"
SITE = "https://ecqf.fa.em2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1"
QUERY = ("?onlyData=true&expand=requisitionList.secondaryLocations,flexFieldsFacet.values"
         "&finder=findReqs;siteNumber={site},limit=25,offset=0,sortBy=POSTING_DATES_DESC")


def spider() -> OracleSpider:
    return OracleSpider(source=Source(name="northwind", url=SITE))


def offset_of(request) -> int:
    return int(re.search(r"offset=(\d+)", request.query["finder"][0]).group(1))


def listing(request):
    return 200, ats_fixture("oracle", "page-1.json" if offset_of(request) == 0 else "page-2.json")


def detail(request):
    finder = request.query["finder"][0]
    job_id = re.search(r'Id="(\d+)"', finder).group(1)
    assert re.search(r",siteNumber=(CX_1|good)$", finder)
    known = ats_fixture("oracle", "details.json").get(job_id)
    text = "<p>Pick, pack and ship customer orders in our Dallas warehouse on a part-time schedule.</p>"
    return 200, {"items": [known or {"Id": job_id, "ExternalDescriptionStr": text}], "count": 1}


# -- end to end ---------------------------------------------------------------------------------


def test_site_is_crawled_field_by_field(api_server, tmp_path):
    routes = {f"GET {LIST}": listing, f"GET {DETAIL}": detail}
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "northwind", "url": SITE, "endpoint": f"{origin}{LIST}{QUERY.format(site='CX_1')}"}],
            *CRAWL_SETTINGS,
        )
    assert result.returncode == 0, result.stderr
    lists = [r for r in requests if r.path == LIST]
    assert [offset_of(r) for r in lists] == [0, 25]
    assert lists[1].query["expand"] == ["requisitionList.secondaryLocations,flexFieldsFacet.values"]
    assert len([r for r in requests if r.path == DETAIL]) == 26

    rows = stored_postings(db)
    assert len(rows) == 26
    assert {row["ats"] for row in rows.values()} == {"oracle"}

    engineer = rows["1001:en"]
    assert engineer["title"] == "Senior Cloud Engineer"
    assert engineer["url"] == f"{SITE}/job/1001"
    assert engineer["language_method"] == "ats"
    assert (engineer["employment_type"], engineer["workplace"]) == ("FULL_TIME", "hybrid")
    assert engineer["date_posted"] == "2026-10-02T14:30:00+00:00"
    assert engineer["valid_through"].startswith("2026-12-31")
    assert [(loc["city"], loc["country_code"]) for loc in engineer["locations"]] == [("Austin", "US"), ("Toronto", "CA")]
    # Description, responsibilities and qualifications, in that order.
    assert engineer["description"].startswith("About the role")
    assert engineer["description"].index("deployment pipeline") < engineer["description"].index("Five years")
    assert engineer["salary_min"] is None

    sales = rows["1002:fr"]
    assert (sales["title"], sales["workplace"]) == ("Ingénieur commercial (H/F)", "onsite")
    assert [(loc["city"], loc["country_code"]) for loc in sales["locations"]] == [("Paris", "FR")]

    remote = rows["1003:de"]
    assert remote["workplace"] == "remote"
    assert [(loc["country_code"], loc["remote"]) for loc in remote["locations"]] == [("DE", 1), ("AT", 1)]

    analyst = rows["1026:es"]  # from page 2
    assert analyst["date_posted"] == "2026-09-20T09:00:00+00:00"
    assert [loc["country_code"] for loc in analyst["locations"]] == ["ES"]

    run = last_run(db, "northwind")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("AT", 1), ("DE", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    def route(request):
        site = site_number(f"?finder={request.query['finder'][0]}")
        if site == "empty":
            return 200, {"items": [{"TotalJobsCount": 0, "requisitionList": []}], "count": 1}
        if site == "garbled":
            return 200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}
        page = ats_fixture("oracle", "page-2.json")
        page["items"][0]["TotalJobsCount"] = 1
        return 200, page

    names = ["missing", "empty", "garbled", "good"]
    with api_server({f"GET {LIST}": route, f"GET {DETAIL}": detail, f"GET /gone{LIST}": (404, "Not Found")}) as (
        origin,
        _,
    ):
        entries = [
            {
                "name": f"oracle-{name}",
                "url": SITE.replace("CX_1", name),
                "endpoint": f"{origin}{'/gone' if name == 'missing' else ''}{LIST}{QUERY.format(site=name)}",
            }
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"oracle-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "good": ("complete", {}),
    }
    assert list(stored_postings(db)) == ["1026:es"]


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "site"),
    [
        (SITE, "CX_1"),
        ("https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/jobsearch/jobs", "jobsearch"),
        ("https://jpmc.fa.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1001/job/210767444", "CX_1001"),
        ("https://fa-epmd-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/fr-CA/sites/CX_3001/", "CX_3001"),
        ("https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/", None),
        ("https://careers.example.com/jobs", None),
    ],
)
def test_listing_url_from_site_url(board_url, site):
    url = listing_url(board_url)
    if site is None:
        assert url is None
        return
    host = board_url.split("/")[2]
    assert url.startswith(f"https://{host}{LIST}?onlyData=true&expand=requisitionList.secondaryLocations")
    assert site_number(url) == site
    assert f"siteNumber%3D{site}%2Climit%3D25%2Coffset%3D0%2CsortBy%3DPOSTING_DATES_DESC" in url


def test_detail_url_names_the_job_and_site():
    url = spider().detail_url({"Id": "1001"})
    assert url == (
        f"https://ecqf.fa.em2.oraclecloud.com{DETAIL}?expand=all&onlyData=true"
        "&finder=ById%3BId%3D%221001%22%2CsiteNumber%3DCX_1"
    )


@pytest.mark.parametrize(
    "job",
    [
        {"Id": 7},
        {"Id": "8", "Title": None, "secondaryLocations": "Austin", "WorkplaceTypeCode": 3, "Language": 5},
        {"Id": "9", "PrimaryLocation": 5, "PrimaryLocationCountry": "United States", "secondaryLocations": [None, {}]},
    ],
)
def test_mapper_on_odd_jobs(job):
    posting = spider().job_posting(job)
    assert posting.key == str(job["Id"]) and posting.url == f"{SITE}/job/{job['Id']}"
    assert posting.stated_language is None


def test_mapper_without_id_or_site_path():
    assert spider().job_posting({"Title": "no id"}) is None
    odd = OracleSpider(source=Source(name="x", url="https://ecqf.fa.em2.oraclecloud.com/hcmUI/"))
    assert odd.job_posting({"Id": "1"}).url == "https://ecqf.fa.em2.oraclecloud.com/hcmUI/"
