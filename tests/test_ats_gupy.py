"""Gupy career pages: the Next.js page (its __NEXT_DATA__) and a posting's page data served on
127.0.0.1 from fixtures in their real shapes, crawled by the real `jobatlas crawl`; the page URL
of each URL form; the mapper on odd jobs."""

from __future__ import annotations

import json

import pytest
from conftest import SITES, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.gupy import GupySpider, listing_url

FIXTURES = SITES / "ats" / "gupy"
CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
PAGE = "https://casaaurora.gupy.io"
HTML = {"Content-Type": "text/html; charset=utf-8"}
BUILD = "kQ7pZr2mN1xYb"


def spider() -> GupySpider:
    return GupySpider(source=Source(name="casaaurora", url=f"{PAGE}/"))


def page_with(jobs: object) -> str:
    data = {"props": {"pageProps": {"careerPage": {"name": "X"}, "jobs": jobs}}, "buildId": "b1"}
    return f'<html><body><script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></body></html>'


# -- end to end ---------------------------------------------------------------------------------


def test_page_is_crawled_field_by_field(api_server, tmp_path):
    routes = {
        "GET /": (200, (FIXTURES / "index.html").read_text(), HTML),
        f"GET /_next/data/{BUILD}/pt/jobs/8123402.json": (200, json.loads((FIXTURES / "job-8123402.json").read_text())),
    }
    with api_server(routes) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "casaaurora", "url": f"{PAGE}/", "endpoint": f"{origin}/"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    # The page, then the page data of the one job listed without its text.
    assert [r.path for r in requests if r.path != "/robots.txt"] == ["/", f"/_next/data/{BUILD}/pt/jobs/8123402.json"]

    rows = stored_postings(db)
    assert set(rows) == {"8123401:pt", "8123402:pt", "8123403:es", "8123404:en"}
    assert {(row["ats"], row["company"]) for row in rows.values()} == {("gupy", "Casa Aurora")}

    analyst = rows["8123401:pt"]
    assert (analyst["title"], analyst["url"], analyst["department"], analyst["workplace"]) == (
        "Analista de Dados Pleno", f"{PAGE}/jobs/8123401", "Tecnologia", "hybrid",
    )
    assert (analyst["date_posted"], analyst["valid_through"][:10]) == ("2025-04-10T13:20:00+00:00", "2027-01-31")
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in analyst["locations"]] == [("São Paulo", "BR", 0)]
    assert analyst["description"].startswith("A Casa Aurora é uma rede") and "<" not in analyst["description"]

    intern = rows["8123402:pt"]  # its text from the posting's page data, every section
    assert (intern["title"], intern["employment_type"], intern["workplace"]) == ("Estágio em Marketing Digital", "INTERN", "onsite")
    assert all(part in intern["description"] for part in ("estudante de Marketing", "redes sociais", "terceiro semestre"))
    assert intern["valid_through"][:10] == "2027-02-15"
    assert [(loc["city"], loc["country_code"]) for loc in intern["locations"]] == [("Rio de Janeiro", "BR")]

    developer = rows["8123403:es"]
    assert (developer["workplace"], developer["employment_type"]) == ("remote", None)
    assert [(loc["country_code"], loc["remote"]) for loc in developer["locations"]] == [("AR", 1)]

    manager = rows["8123404:en"]
    assert [(loc["city"], loc["country_code"]) for loc in manager["locations"]] == [("Lisboa", "PT")]

    run = last_run(db, "casaaurora")
    assert (run["status"], run["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "pt")] == [("BR", 2)]


def test_bad_pages_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /empty/": (200, page_with([]), HTML),
        "GET /garbled/": (200, (FIXTURES / "garbled.html").read_text(), HTML),
        "GET /plain/": (200, "<html><body>Em manutenção</body></html>", HTML),
        "GET /shapeless/": (200, page_with({"a": 1}), HTML),
        "GET /odd/": (200, page_with([{"title": "no id"}, {"id": 5, "title": ["Lista"], "description": "<p>x</p>",
                                      "workplace": "remote", "type": 3}, "not a job"]), HTML),
    }
    names = ["missing", "empty", "garbled", "plain", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"gupy-{name}", "url": f"https://{name}.gupy.io/", "endpoint": f"{origin}/{name}/"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)

    assert result.returncode == 1
    runs = {name: last_run(db, f"gupy-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "plain": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "odd": ("partial", {"bad_posting": 1}),
    }
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["external_id"], odd["title"], odd["url"], odd["company"]) == ("5", "Lista", "https://odd.gupy.io/jobs/5", "X")


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://casaaurora.gupy.io/", f"{PAGE}/"),
        ("https://casaaurora.gupy.io/jobs/8123401?jobBoardSource=gupy_portal", f"{PAGE}/"),
        ("https://casaaurora.gupy.io/job/eyJqb2JJZCI6MX0=", f"{PAGE}/"),
        ("https://portal.gupy.io/job-search/term=dados", None),
        ("https://employability-portal.gupy.io/api/v1/jobs?jobName=dados", None),
        ("https://casaaurora.com.br/carreiras", None),
    ],
)
def test_listing_url_from_page_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_mapper_on_odd_jobs():
    posting = spider().job_posting({"id": 9, "name": "Banco de Talentos", "type": "vacancy_type_talent_pool"})
    assert (posting.key, posting.title, posting.url, posting.employment_type_raw, posting.locations) == (
        "9", "Banco de Talentos", f"{PAGE}/jobs/9", "talent pool", [],
    )
    assert (posting.country_hint, posting.stated_language) == ("BR", None)
    assert spider().job_posting({"title": "no id"}) is None
    for odd in ({"id": 1, "workplace": {"address": "SP", "workplaceType": ["remote"]}}, {"id": {}, "workplace": None}):
        spider().job_posting(odd)  # never raises
    # A listed description needs no detail; without the page's build id there is none to read.
    assert spider().detail_url({"id": 1, "description": "<p>x</p>"}) is None
    assert spider().detail_url({"id": 1}) is None
    assert spider().merge_detail({"id": 1, "title": "A"}, {"pageProps": {"job": {"title": None, "description": "d"}}}) == {
        "id": 1, "title": "A", "description": "d",
    }
