"""Factorial career sites: the listing page and job pages served on 127.0.0.1 in their real
HTML shape and crawled by the real `jobatlas crawl`; the URL forms; own-domain recognition."""

from __future__ import annotations

import pytest
from conftest import SITES, crawl_into, last_run, run_cli, stored_postings

from crawler.spiders.factorial import listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
FIXTURES = SITES / "ats" / "factorial"
SITE = "https://olivar.factorialhr.com/"
HTML = {"Content-Type": "text/html; charset=utf-8"}
JOBS = {"304592": "jefe-de-almacen-h-m-304592", "304610": "backend-engineer-304610", "304633": "werkstudent-disposition-304633"}


def page(name: str) -> tuple:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), HTML


def site_routes(prefix: str = "") -> dict:
    routes = {f"GET {prefix}/": page("listing.html")}
    routes.update({f"GET /job_posting/{slug}": page(f"job-{job_id}.html") for job_id, slug in JOBS.items()})
    return routes


def test_site_is_crawled_job_by_job(api_server, tmp_path):
    with api_server(site_routes()) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "olivar", "url": SITE, "endpoint": f"{origin}/"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    # Each job once (the listing names one twice), the spontaneous application never.
    assert sorted(r.path for r in requests if r.path.startswith("/job_posting/")) == sorted(f"/job_posting/{s}" for s in JOBS.values())

    rows = stored_postings(db)
    assert set(rows) == {"304592:es", "304610:en", "304633:de"}
    chief = rows["304592:es"]
    assert (chief["title"], chief["url"], chief["apply_url"], chief["department"]) == (
        "Jefe/a de almacén",
        "https://olivar.factorialhr.com/job_posting/jefe-de-almacen-h-m-304592",
        "https://olivar.factorialhr.com/apply/jefe-de-almacen-h-m-304592",
        "Operaciones",
    )
    assert chief["description"].startswith("En Olivar Logística buscamos") and "Carné de carretillero" in chief["description"]
    assert "Powered by" not in chief["description"]
    assert [(loc["city"], loc["country_code"]) for loc in chief["locations"]] == [("Sevilla", "ES")]

    engineer = rows["304610:en"]  # an English text on a Spanish site: its own language
    assert (engineer["workplace"], engineer["department"]) == ("remote", "Tecnología")
    assert [(loc["raw"], loc["remote"]) for loc in engineer["locations"]] == [("Madrid", 1)]

    student = rows["304633:de"]
    assert (student["employment_type"], student["title"]) == ("INTERN", "Werkstudent Disposition (m/w/d)")
    assert [(loc["city"], loc["country_code"]) for loc in student["locations"]] == [("München", "DE")]

    run = last_run(db, "olivar")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_sites_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    empty = (FIXTURES / "listing.html").read_text(encoding="utf-8").split("<ul data-target")[0] + "</div></body></html>"
    routes = {
        **site_routes("/good"),
        "GET /empty/": (200, empty, HTML),
        "GET /parked/": (200, "<html><body><h1>This domain is for sale</h1></body></html>", HTML),
        "GET /textless/": (200, "<li data-controller='job-postings' data-job-postings-url='/job_posting/chofer-1'></li>", HTML),
        "GET /job_posting/chofer-1": (200, "<html lang='es'><h1>Chófer de reparto</h1><p>Sin descripción</p></html>", HTML),
    }
    names = ["missing", "empty", "parked", "textless", "good"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"fa-{name}", "url": f"https://{name}.factorialhr.com/", "endpoint": f"{origin}/{name}/"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"fa-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "parked": ("failed", {"bad_posting": 1}),
        "textless": ("partial", {"bad_posting": 1}),
        "good": ("complete", {}),
    }
    assert f"{origin}/parked/" in str(runs["parked"]["problem_examples"])
    assert sum(row["source"] == "fa-textless" for row in stored_postings(db).values()) == 1  # kept, with its title


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        (SITE, SITE),
        ("https://olivar.factorialhr.com/job_posting/backend-engineer-304610", SITE),
        ("https://jobs-olivar.factorial.es/", "https://jobs-olivar.factorial.es/"),
        ("https://app.factorialhr.com/recruitment", None),
        ("https://www.factorialhr.com/pricing", None),
    ],
)
def test_listing_url_from_site_url(site_url, expected):
    assert listing_url(site_url) == expected


def test_a_site_on_its_own_domain_is_recognised_by_its_page(site_server, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text((FIXTURES / "listing.html").read_text(encoding="utf-8"), encoding="utf-8")
    with site_server(tmp_path / "site") as (origin, _):
        result = run_cli("sources", "detect", f"{origin}/", "https://careers.factorialhr.com/job_posting/x-1")
    assert result.stdout.splitlines() == [f"factorial\t{origin}/", "factorial\thttps://careers.factorialhr.com"]
