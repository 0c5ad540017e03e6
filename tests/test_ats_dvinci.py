"""d.vinci career sites: the jobPublication list served on 127.0.0.1 from a fixture in its real
shape, crawled by the real `jobatlas crawl`; the list URL of each site form; odd publications."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.dvinci import DvinciSpider, listing_url

FIXTURES = SITES / "ats" / "dvinci"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
SITE = "https://rheinwerk.dvinci-hr.com"
LIST = "/jobPublication/list.json"


def spider() -> DvinciSpider:
    return DvinciSpider(source=Source(name="rheinwerk", url=f"{SITE}/de/jobs"))


# -- end to end ---------------------------------------------------------------------------------


def test_site_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({f"GET {LIST}": (200, ats_fixture("dvinci", "list.json"))}) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "rheinwerk", "url": f"{SITE}/de/jobs", "endpoint": f"{origin}{LIST}"}], *CRAWL_SETTINGS
        )
    assert result.returncode == 0, result.stderr
    assert [r.path for r in requests if r.path != "/robots.txt"] == [LIST]

    rows = stored_postings(db)
    assert set(rows) == {"5101:de", "5102:en", "5110:de", "5120:en"}
    assert {row["ats"] for row in rows.values()} == {"dvinci"}
    assert {row["language_method"] for row in rows.values()} == {"ats"}  # each publication states it
    # The German and English publications of opening 901 are one job; the others stand alone.
    groups = {key: row["translation_group"] for key, row in rows.items()}
    assert groups["5101:de"] == groups["5102:en"]
    assert len({groups["5101:de"], groups["5110:de"], groups["5120:en"]}) == 3

    developer = rows["5101:de"]
    assert (developer["title"], developer["url"], developer["apply_url"], developer["department"]) == (
        "Softwareentwickler Java (m/w/d)",
        f"{SITE}/de/jobs/5101/softwareentwickler-java-mwd",
        f"{SITE}/de/jobs/5101/apply",
        "IT-Services",
    )
    # No startDate: the opening's creation dates it.
    assert (developer["employment_type"], developer["date_posted"], developer["valid_through"][:10]) == (
        "FULL_TIME", "2025-03-14T08:30:00+00:00", "2027-02-28",
    )
    assert (developer["salary_min"], developer["salary_max"], developer["salary_currency"], developer["salary_period"]) == (
        58000.0, 70000.0, "EUR", "YEAR",
    )
    assert [(loc["city"], loc["country_code"]) for loc in developer["locations"]] == [("Köln", "DE")]
    description = developer["description"]  # every section, in order, as text
    assert description.startswith("Die Rheinwerk Energie GmbH") and description.rstrip().endswith("Online-Formular.")
    assert all(part in description for part in ("Spring Boot", "Informatik", "30 Tage Urlaub")) and "<" not in description

    english = rows["5102:en"]
    assert (english["title"], english["date_posted"]) == ("Java Software Developer (f/m/d)", "2025-03-15T07:00:00+00:00")

    technician = rows["5110:de"]  # two places; a category where no department is given
    assert (technician["department"], technician["employment_type"], technician["salary_min"]) == ("Technik", "PART_TIME", None)
    assert [(loc["city"], loc["country_code"]) for loc in technician["locations"]] == [("Husum", "DE"), ("Bern", "CH")]

    analyst = rows["5120:en"]  # a salary written as text, one working time not in a list
    assert (analyst["salary_min"], analyst["salary_max"], analyst["salary_currency"], analyst["salary_period"]) == (
        85000.0, 100000.0, "USD", "YEAR",
    )
    assert (analyst["employment_type"], analyst["url"]) == ("FULL_TIME", f"{SITE}/en/jobs/5120/energy-trading-analyst")
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in analyst["locations"]] == [("Houston", "TX", "US")]

    run = last_run(db, "rheinwerk")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "de")] == [("DE", 2), ("CH", 1)]


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/jobPublication/list.json": (200, []),
        "GET /garbled/jobPublication/list.json": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /shapeless/jobPublication/list.json": (200, {"jobPublications": "none"}),
        "GET /odd/jobPublication/list.json": (
            200,
            [
                {"position": "no id at all", "jobOpening": "x"},
                {"id": "77", "position": ["List"], "language": 5, "tasks": ["<p>x</p>"], "jobOpening": {
                    "locations": "Bremen", "location": 3, "workingTimes": {"name": "x"}, "salaryRange": {"min": "n/a"},
                    "department": {"name": "Ops"}}},
                "not a publication",
            ],
        ),
    }
    names = ["missing", "empty", "garbled", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"dv-{name}", "url": f"https://{name}.dvinci-hr.com/", "endpoint": f"{origin}/{name}{LIST}"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"dv-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),
    }
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["external_id"], odd["title"], odd["url"], odd["department"], odd["salary_min"]) == (
        "77", "List", "https://odd.dvinci-hr.com/", "Ops", None,
    )


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (f"{SITE}/", f"{SITE}/jobPublication/list.json"),
        (f"{SITE}/de/jobs/5101/softwareentwickler-java-mwd", f"{SITE}/jobPublication/list.json"),
        (f"{SITE}/jobPublication/list.json?lang=en", f"{SITE}/jobPublication/list.json"),
        ("https://sozialstiftung-bamberg.dvinci-easy.com/", "https://sozialstiftung-bamberg.dvinci-easy.com/jobPublication/list.json"),
        ("https://acme.dvinci.de/portal/karriere/de/jobs", "https://acme.dvinci.de/portal/karriere/jobPublication/list.json"),
        # The company's own domain, declared `kind: dvinci`.
        ("https://romed-jobs.de/de/jobs", "https://romed-jobs.de/jobPublication/list.json"),
        ("mailto:jobs@rheinwerk.example", None),
    ],
)
def test_listing_url_from_site_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_mapper_on_odd_publications():
    posting = spider().job_posting(ats_fixture("dvinci", "list.json")[1])
    assert (posting.key, posting.external_id, posting.translation_key, posting.stated_language) == (
        "5102", "5102", "opening:901", "en",
    )
    assert posting.employment_type_raw == ["FULL_TIME"] and posting.valid_through_raw is None
    # Only an opening id: the opening and the language key it.
    assert spider().job_posting({"language": "fr", "jobOpening": {"id": 3}}).key == "3:fr"
    assert spider().job_posting({"position": "x"}) is None
    for odd in ({"id": 1, "jobOpening": None}, {"id": 1, "jobOpening": {"locations": [None, {"address": "x"}],
                "salaryRange": ["a"], "workingTimes": [None, 3]}}, {"id": [], "jobOpening": {"id": {}}}):
        spider().job_posting(odd)  # never raises
