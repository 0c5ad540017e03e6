"""One job published on a company's careers page (JSON-LD) and on its Greenhouse board counts once:
both crawled by the real `jobatlas crawl` over 127.0.0.1, then asked through the CLI. Jobs that
only look alike (another city, another seniority) stay apart."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import crawl_into, query, run_cli

from pipelines.clusters import address, company_name, job_title

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD_PATH = "/v1/boards/nordwerk/jobs.json"
GREENHOUSE_JOB = "https://job-boards.greenhouse.io/nordwerk/jobs/{}"

# The careers site: (page, <html lang>, JSON-LD fields beyond the description).
CAREERS_PAGES = [
    ("senior-backend", "en", {"title": "Senior Backend Engineer (m/w/d)", "city": "Berlin", "country": "DE"}),
    ("junior-backend", "en", {"title": "Junior Backend Engineer (m/w/d)", "city": "Berlin", "country": "DE"}),
    ("data-analyst", "en", {"title": "Data Analyst", "city": "Munich", "country": "DE"}),
    # Another title on the board; the apply button leads to the board's posting.
    ("product-manager", "en", {"title": "Product Manager, Payments", "city": "Berlin", "country": "DE",
                               "apply": GREENHOUSE_JOB.format(5001004)}),
    # Another title and another spelling of the city; the same job id as on the board.
    ("sre", "en", {"title": "Site Reliability Engineer", "city": "Wien", "country": "AT", "identifier": "5001005"}),
    ("ingenieur-commercial", "fr", {"title": "Ingénieur commercial (H/F)", "city": "Paris", "country": "FR"}),
]
# The board: (id, language, title, location).
BOARD_JOBS = [
    (5001001, "en", "Senior Backend Engineer", "Berlin, Germany"),
    (5001003, "en", "Data Analyst", "Hamburg, Germany"),
    (5001004, "en", "Payments Product Manager", "Berlin, Germany"),
    (5001005, "en", "SRE", "Vienna, Austria"),
    (5001006, "fr", "Ingénieur commercial", "Paris, France"),
]


def careers_page(lang: str, fields: dict[str, str]) -> str:
    posting = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": fields["title"],
        "description": f"<p>{fields['title']}: join Nordwerk's team and build what moves our customers.</p>",
        "hiringOrganization": {"@type": "Organization", "name": "Nordwerk GmbH"},
        "datePosted": "2026-11-02", "employmentType": "FULL_TIME",
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": fields["city"],
                                                      "addressCountry": fields["country"]}},
    }
    if "identifier" in fields:
        posting["identifier"] = {"@type": "PropertyValue", "name": "Nordwerk", "value": fields["identifier"]}
    if "apply" in fields:
        posting["potentialAction"] = {"@type": "ApplyAction", "target": fields["apply"]}
    return (
        f'<!doctype html><html lang="{lang}"><head><title>{fields["title"]}</title>'
        f'<script type="application/ld+json">{json.dumps(posting, ensure_ascii=False)}</script></head>'
        f'<body><h1>{fields["title"]}</h1></body></html>'
    )


def board(jobs: list[tuple[int, str, str, str]]) -> dict:
    """A Greenhouse Job Board API answer (`?content=true`) listing these jobs."""
    return {
        "jobs": [
            {
                "id": job_id, "internal_job_id": job_id - 5000000, "title": title, "language": language,
                "company_name": "Nordwerk", "absolute_url": GREENHOUSE_JOB.format(job_id),
                "location": {"name": location}, "offices": [], "departments": [], "metadata": [],
                "first_published": "2026-11-01T09:00:00-05:00", "updated_at": "2026-11-03T10:00:00-05:00",
                "content": f"&lt;p&gt;{title}: join Nordwerk and build what moves our customers.&lt;/p&gt;",
            }
            for job_id, language, title, location in jobs
        ],
        "meta": {"total": len(jobs)},
    }


@pytest.fixture(scope="module")
def crawled(site_server_module, tmp_path_factory):
    """A store after two crawls of the careers site and its board; the board drops its Senior
    Backend Engineer before the second. Yields (db, folder of the site)."""
    tmp = tmp_path_factory.mktemp("clusters")
    site = tmp / "site"
    (site / "careers").mkdir(parents=True)
    links = "".join(f'<li><a href="/careers/{page}.html">{fields["title"]}</a></li>' for page, _, fields in CAREERS_PAGES)
    (site / "careers" / "index.html").write_text(f"<html lang=en><body><h1>Jobs</h1><ul>{links}</ul></body></html>")
    for page, lang, fields in CAREERS_PAGES:
        (site / "careers" / f"{page}.html").write_text(careers_page(lang, fields), encoding="utf-8")
    (site / BOARD_PATH.rsplit("/", 1)[0].lstrip("/")).mkdir(parents=True)
    board_file = site / BOARD_PATH.lstrip("/")
    with site_server_module(site) as (origin, _):
        sources = [
            {"name": "nordwerk", "url": f"{origin}/careers/", "kind": "careers_site", "company": "Nordwerk GmbH"},
            {"name": "nordwerk-board", "url": "https://boards.greenhouse.io/nordwerk", "endpoint": origin + BOARD_PATH},
        ]
        board_file.write_text(json.dumps(board(BOARD_JOBS)), encoding="utf-8")
        first, db = crawl_into(tmp, sources, *CRAWL_SETTINGS)
        assert first.returncode == 0, first.stderr
        first_clusters = clusters(db)
        board_file.write_text(json.dumps(board(BOARD_JOBS[1:])), encoding="utf-8")
        second, _ = crawl_into(tmp, sources, *CRAWL_SETTINGS)
        assert second.returncode == 0, second.stderr
    return db, first_clusters


def clusters(db) -> list[set[str]]:
    """The clusters of two rows or more, each as its rows' `source:title`."""
    members: dict[str, set[str]] = {}
    for row in query(db, "SELECT source, title, cluster_id FROM jobs"):
        members.setdefault(row["cluster_id"], set()).add(f"{row['source']}:{row['title']}")
    return sorted((rows for rows in members.values() if len(rows) > 1), key=sorted)


def answer(db, *args) -> dict[str, int]:
    result = run_cli(*args, "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    return {row.get("country_code") or row.get("language_code"): row["jobs"] for row in json.loads(result.stdout)}


EXPECTED_CLUSTERS = [
    {"nordwerk-board:Ingénieur commercial", "nordwerk:Ingénieur commercial (H/F)"},  # same title, gender note aside
    {"nordwerk-board:Payments Product Manager", "nordwerk:Product Manager, Payments"},  # the apply link
    {"nordwerk-board:SRE", "nordwerk:Site Reliability Engineer"},  # the job id
    {"nordwerk-board:Senior Backend Engineer", "nordwerk:Senior Backend Engineer (m/w/d)"},
]


def test_the_same_job_on_the_careers_page_and_the_board_is_one_cluster(crawled):
    db, first_clusters = crawled
    assert first_clusters == EXPECTED_CLUSTERS
    # The board's Senior Backend Engineer closed in the second crawl; it was open alongside the
    # careers page's, so they stay one job.
    assert clusters(db) == EXPECTED_CLUSTERS
    rows = {(row["source"], row["title"]): row for row in query(db, "SELECT * FROM jobs")}
    assert len(rows) == 11
    # The canonical row: the board's (an ATS row) while both are open; the open one once the board's closed.
    manager = rows[("nordwerk", "Product Manager, Payments")]
    assert manager["cluster_id"] == rows[("nordwerk-board", "Payments Product Manager")]["id"]
    senior = rows[("nordwerk-board", "Senior Backend Engineer")]
    assert senior["status"] == "closed"
    assert senior["cluster_id"] == rows[("nordwerk", "Senior Backend Engineer (m/w/d)")]["id"]
    # Alike, not the same: another seniority, another city.
    for alone in [("nordwerk", "Junior Backend Engineer (m/w/d)"), ("nordwerk", "Data Analyst"), ("nordwerk-board", "Data Analyst")]:
        assert rows[alone]["cluster_id"] == rows[alone]["id"]


def test_counts_count_a_job_once_unless_rows_are_asked_for(crawled):
    db, _ = crawled
    # Germany: senior (two rows, one closed), junior, the analysts in Munich and Hamburg, the manager (two rows).
    assert answer(db, "countries", "--lang", "en") == {"DE": 5, "AT": 1}
    assert answer(db, "countries", "--lang", "en", "--count-rows") == {"DE": 6, "AT": 2}
    assert answer(db, "countries", "--lang", "fr") == {"FR": 1}
    assert answer(db, "countries", "--lang", "en", "--company", "Nordwerk") == {"DE": 2, "AT": 1}  # the board's name
    assert answer(db, "languages") == {"en": 6, "fr": 1}
    assert answer(db, "languages", "--count-rows") == {"en": 8, "fr": 2}
    assert answer(db, "languages", "--country", "DE", "--count-rows") == {"en": 6}
    trend = run_cli("trend", "--lang", "en", "--by", "day", "--since", "2026-11-20", "--db", str(db), "--format", "json")
    assert {row["country_code"]: row["jobs"] for row in json.loads(trend.stdout)} == {"DE": 5, "AT": 1}


def test_export_names_each_postings_cluster(crawled, tmp_path):
    db, _ = crawled
    path = tmp_path / "jobs.csv"
    result = run_cli("export", "--format", "csv", "-o", str(path), "--db", str(db))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 10  # open rows
    by_title = {row["title"]: row for row in rows}
    assert by_title["SRE"]["cluster_id"] == by_title["Site Reliability Engineer"]["cluster_id"] == by_title["SRE"]["id"]
    assert len({row["cluster_id"] for row in rows}) == 7


@pytest.mark.parametrize(("first", "second", "same"), [
    ("Softwareentwickler (m/w/d)", "Softwareentwickler", True),
    ("Chargé de clientèle (H/F)", "chargé de clientèle", True),
    ("Senior Data Engineer", "Data Engineer", False),
    ("Engineer (Java/Kotlin)", "Engineer (Python/Go)", False),
])
def test_titles_as_compared(first, second, same):
    assert (job_title(first) == job_title(second)) is same


def test_companies_and_addresses_as_compared():
    assert company_name("Nordwerk GmbH") == company_name("nordwerk") == company_name("NORDWERK, gmbh")
    assert company_name("Maison Lumière S.A.") == company_name("Maison Lumière")
    assert company_name("Acme Robotics") != company_name("Acme")
    same = address("https://www.jobs.lever.co/acme/1f2e/apply?utm_source=linkedin#top")
    assert same == address("https://jobs.lever.co/acme/1f2e/")
    assert address("https://boards.greenhouse.io/acme/jobs/1?gh_jid=1") != address("https://boards.greenhouse.io/acme/jobs/1?gh_jid=2")
