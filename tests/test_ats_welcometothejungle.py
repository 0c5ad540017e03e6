"""Welcome to the Jungle: the search index's query answers and each job's REST answer, served on
127.0.0.1 in their real shapes and crawled by the real `jobatlas crawl`; the URL forms; the mapper
on odd hits."""

from __future__ import annotations

import pytest
from conftest import ats_fixture, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.welcometothejungle import WelcomeToTheJungleSpider, listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
BOARD = "https://www.welcometothejungle.com/fr/companies/maison-verdier/jobs"
SEARCH = "/1/indexes/wttj_jobs_production_en/query"
JOBS = "/api/v1/organizations/maison-verdier/jobs"
ID = "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6{}".format


def spider() -> WelcomeToTheJungleSpider:
    return WelcomeToTheJungleSpider(source=Source(name="verdier", url=BOARD))


def filler(number: int) -> dict:
    return {"objectID": f"filler-{number}", "name": f"Sales Associate {number}", "slug": f"sales-associate-{number}",
            "language": "en", "contract_type": "part_time", "remote": "no", "offices": [{"city": "Paris", "country_code": "FR"}],
            "organization": {"slug": "maison-verdier"}}


def test_company_is_crawled_page_by_page_with_each_jobs_text(api_server, tmp_path):
    real = ats_fixture("welcometothejungle", "hits.json")
    fillers = [filler(number) for number in range(99)]
    pages = {0: real["hits"] + fillers[:97], 1: fillers[97:]}  # 100 a page: a full page, then the rest

    def search(request):
        body = request.json()
        assert body["facetFilters"] == [["organization.slug:maison-verdier"]] and body["hitsPerPage"] == 100
        return 200, {**real, "hits": pages.get(body["page"], []), "nbHits": 102, "page": body["page"], "nbPages": 2}

    routes = {f"POST {SEARCH}": search}
    for number, hit in enumerate(real["hits"], 1):
        routes[f"GET {JOBS}/{hit['slug']}"] = (200, ats_fixture("welcometothejungle", f"job-{number}.json"))
    for hit in fillers:
        routes[f"GET {JOBS}/{hit['slug']}"] = (200, {"job": {"description": "<p>Welcome guests in our Paris shop and advise them on our stays.</p>"}})

    with api_server(routes) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "verdier", "url": BOARD, "endpoint": f"{origin}{SEARCH}"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert [r.json()["page"] for r in requests if r.method == "POST"] == [0, 1]

    rows = stored_postings(db)
    assert len(rows) == 102
    assert {rows[f"{ID(n)}:{lang}"]["language_method"] for n, lang in ((1, "fr"), (2, "en"), (3, "es"))} == {"ats"}

    ruby = rows[f"{ID(1)}:fr"]
    assert (ruby["title"], ruby["url"]) == (
        "Développeur·se Back-End Ruby (H/F)",
        "https://www.welcometothejungle.com/fr/companies/maison-verdier/jobs/developpeur-se-back-end-ruby-h-f_paris_MAISO_Kq8Zr1x",
    )
    assert (ruby["employment_type"], ruby["workplace"], ruby["date_posted"]) == ("FULL_TIME", "hybrid", "2025-05-12T09:14:27+00:00")
    assert (ruby["salary_min"], ruby["salary_max"], ruby["salary_currency"], ruby["salary_period"]) == (48000, 58000, "EUR", "YEAR")
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in ruby["locations"]] == [("Paris", "FR", 0), ("Lyon", "FR", 0)]
    # The full text (description, profile, process) from the REST answer, not the hit's summary.
    assert all(part in ruby["description"] for part in ("hôtels indépendants", "Ruby on Rails", "exercice technique"))

    nordics = rows[f"{ID(2)}:en"]
    assert (nordics["workplace"], nordics["apply_url"], nordics["salary_min"]) == (
        "remote", "https://jobs.example-ats.com/maison-verdier/apply/2210", None,
    )
    assert [(loc["country_code"], loc["remote"]) for loc in nordics["locations"]] == [("SE", 1)]

    intern = rows[f"{ID(3)}:es"]
    assert (intern["employment_type"], intern["workplace"], intern["salary_period"]) == ("INTERN", "onsite", "MONTH")
    assert intern["url"].startswith("https://www.welcometothejungle.com/es/companies/maison-verdier/jobs/")
    assert [(loc["city"], loc["country_code"]) for loc in intern["locations"]] == [("Barcelona", "ES")]

    run = last_run(db, "verdier")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_companies_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    empty = {"hits": [], "nbHits": 0, "page": 0, "nbPages": 0, "hitsPerPage": 100}
    odd_hits = {"hits": [{"name": "no id"}, {"objectID": 991, "name": ["List"], "offices": "x", "remote": 5}]}
    routes = {
        "POST /empty/query": (200, empty),
        "POST /garbled/query": (200, '{"hits": [{"objectID": ', {"Content-Type": "application/json"}),
        "POST /shapeless/query": (200, {"message": "Invalid Application-ID or API key", "status": 403}),
        "POST /refused/query": (403, {"message": "Method not allowed with this referer", "status": 403}),
        "POST /odd/query": (200, odd_hits),
    }
    names = ["missing", "empty", "garbled", "shapeless", "refused", "odd"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"wttj-{name}", "url": f"https://www.welcometothejungle.com/en/companies/{name}",
                    "endpoint": f"{origin}/{name}/query"} for name in names]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"wttj-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "garbled": ("failed", {"bad_json": 1}),
        "shapeless": ("failed", {"bad_json": 1}),
        "refused": ("failed", {"http_403": 1}),
        "odd": ("partial", {"bad_posting": 1}),
    }
    assert f"{origin}/garbled/query" in str(runs["garbled"]["problem_examples"])
    [odd] = query(db, "SELECT * FROM jobs")
    assert (odd["source"], odd["external_id"], odd["title"]) == ("wttj-odd", "991", "List")


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://www.welcometothejungle.com/fr/companies/maison-verdier/jobs", "https://csekhvms53-dsn.algolia.net/1/indexes/wttj_jobs_production_en/query"),
        ("https://welcometothejungle.com/en/companies/maison-verdier", "https://csekhvms53-dsn.algolia.net/1/indexes/wttj_jobs_production_en/query"),
        ("https://api.welcometothejungle.com/api/v1/organizations/maison-verdier/jobs/x_paris_MAISO_1", "https://csekhvms53-dsn.algolia.net/1/indexes/wttj_jobs_production_en/query"),
        ("https://www.welcometothejungle.com/fr/jobs?query=ruby", None),
        ("https://www.welcometothejungle.com/en/articles/how-to-hire", None),
    ],
)
def test_listing_url_from_company_url(board_url, expected):
    assert listing_url(board_url) == expected


@pytest.mark.parametrize(
    "hit",
    [
        {"objectID": "7"},
        {"objectID": "7", "name": {"fr": "x"}, "offices": [{"city": ["Paris"]}, 3], "key_missions": [None, 5], "salary_period": {"a": 1}},
        {"objectID": "7", "slug": None, "language": "de", "remote": "unknown", "organization": "maison-verdier"},
    ],
)
def test_mapper_on_odd_hits_never_raises(hit):
    posting = spider().job_posting(hit)
    assert posting.key == "7" and posting.workplace_raw is None


def test_a_hit_without_its_rest_answer_keeps_its_summary_and_missions():
    posting = spider().job_posting(ats_fixture("welcometothejungle", "hits.json")["hits"][0])
    assert posting.description_html.startswith("Rejoignez l'équipe produit") and "<li>Concevoir les API" in posting.description_html
    assert spider().job_posting({"name": "no id"}) is None
