"""Pinpoint sites: the postings feed served on 127.0.0.1 from fixtures in its real shape,
crawled by the real `jobatlas crawl`; the feed URL of each URL form; the mapper on odd postings."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.pinpoint import PinpointSpider, listing_url

FIXTURES = SITES / "ats" / "pinpoint"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SITE = "https://harbourline.pinpointhq.com"
UID = "0b6f8c1e-3a55-4e0f-9d2a-71c4aa10e00{}".format


def spider() -> PinpointSpider:
    return PinpointSpider(source=Source(name="harbourline", url=SITE))


def test_site_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({"GET /postings.json": (200, ats_fixture("pinpoint", "postings.json"))}) as (origin, requests):
        entry = {"name": "harbourline", "url": SITE, "endpoint": f"{origin}/postings.json"}
        result, db = crawl_into(tmp_path, [entry], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"] == ["/postings.json"]

    rows = stored_postings(db)
    assert set(rows) == {f"{UID(1)}:en", f"{UID(2)}:de", f"{UID(3)}:fr", f"{UID(4)}:es"}
    assert {row["ats"] for row in rows.values()} == {"pinpoint"}

    designer = rows[f"{UID(1)}:en"]
    assert (designer["title"], designer["url"], designer["department"]) == (
        "Senior Product Designer", f"{SITE}/en/postings/{UID(1)}", "Design",
    )
    assert (designer["employment_type"], designer["workplace"]) == ("FULL_TIME", "hybrid")
    assert (designer["date_posted"], designer["valid_through"]) == ("2025-05-12T08:00:00+00:00", "2025-07-31T22:59:00+00:00")
    assert (designer["salary_min"], designer["salary_max"], designer["salary_currency"], designer["salary_period"]) == (
        70000.0, 85000.0, "GBP", "YEAR",
    )
    assert [(loc["city"], loc["region"], loc["country_code"], loc["remote"]) for loc in designer["locations"]] == [
        ("London", "England", "GB", 0)
    ]
    # The description, then every section under its heading.
    assert all(part in designer["description"] for part in ("ports and shipping lines", "Key responsibilities",
                                                             "design system", "Twenty-eight days"))

    sales = rows[f"{UID(2)}:de"]  # pay not visible: the internal band is not published
    assert (sales["workplace"], sales["salary_min"], sales["salary_currency"]) == ("remote", None, None)
    assert [(loc["country_code"], loc["remote"]) for loc in sales["locations"]] == [("DE", 1)]

    assistant = rows[f"{UID(3)}:fr"]
    assert (assistant["employment_type"], assistant["workplace"]) == ("PART_TIME", "onsite")
    assert (assistant["salary_min"], assistant["salary_max"], assistant["salary_period"]) == (1900.0, 2200.0, "MONTH")
    assert [(loc["city"], loc["country_code"]) for loc in assistant["locations"]] == [("Marseille", "FR")]

    data = rows[f"{UID(4)}:es"]
    assert (data["employment_type"], data["salary_min"], data["salary_max"], data["salary_period"]) == (
        "CONTRACTOR", 45.0, 60.0, "HOUR",
    )
    assert [loc["country_code"] for loc in data["locations"]] == ["ES"]

    run = last_run(db, "harbourline")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/postings.json": (200, {"data": []}),
        "GET /garbled/postings.json": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /shapeless/postings.json": (200, {"data": {"id": "x"}}),
        "GET /odd/postings.json": (200, {"data": [{"title": "no id"}, {"id": 991, "title": ["List"], "location": 5,
                                                  "compensation_visible": True, "compensation_minimum": "n/a"}]}),
    }
    names = ["missing", "empty", "garbled", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"pp-{name}", "url": f"https://{name}.pinpointhq.com", "endpoint": f"{origin}/{name}/postings.json"}
                   for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"pp-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),
    }
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["source"], odd["external_id"], odd["title"], odd["url"], odd["salary_min"]) == (
        "pp-odd", "991", "List", "https://odd.pinpointhq.com", None,
    )


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (SITE, f"{SITE}/postings.json"),
        (f"{SITE}/", f"{SITE}/postings.json"),
        (f"{SITE}/en/postings/{UID(1)}", f"{SITE}/postings.json"),
        ("https://app.pinpointhq.com/", None),
        ("https://www.pinpointhq.com/", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


@pytest.mark.parametrize(
    "job",
    [
        {},
        {"id": 1, "location": "Leeds", "job": "x", "compensation_visible": True, "compensation_maximum": [3]},
        {"id": "2", "location": None, "workplace_type": 3, "description": {"a": 1}, "key_responsibilities": ["<p>x</p>"]},
        {"id": 3, "location": {"city": 7, "province": []}, "compensation_visible": "yes", "compensation_minimum": 5},
    ],
)
def test_mapper_on_odd_postings_never_raises(job):
    posting = spider().job_posting(job)
    assert posting is None if "id" not in job else posting.key == str(job["id"])


def test_mapper_on_one_posting():
    posting = spider().job_posting(ats_fixture("pinpoint", "postings.json")["data"][1])
    assert (posting.workplace_raw, posting.employment_type_raw, posting.salary_raw) == ("remote", "full_time", None)
    assert [(loc.raw, loc.country, loc.remote) for loc in posting.locations] == [("Remote (Germany)", "Germany", True)]
    assert posting.stated_language is None
