"""Job postings read from a page's embedded application state (crawler/app_state.py).

The fixtures in tests/sites/app_state/ are careers pages shaped like those the frameworks write
(Next.js, Nuxt, Redux, Apollo, Phenom, a widget's JSON props), plus pages whose state holds no
jobs and must give none.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.app_state import MAX_BLOCK_CHARS, app_state_postings
from crawler.extract import to_item

SITES = Path(__file__).parent / "sites" / "app_state"


def read(name: str, url: str) -> list[dict]:
    return app_state_postings((SITES / name).read_text(encoding="utf-8"), url)


def addresses(posting: dict) -> list:
    return [place["address"] for place in posting.get("jobLocation", [])]


def next_page(data: object) -> str:
    return f'<html><body><script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></body></html>'


def test_next_listing_three_jobs_in_two_languages():
    postings = read("next_listing.html", "https://careers.nordlicht.example/careers")
    assert [p["title"] for p in postings] == [
        "Senior Backend Engineer",
        "Werkstudent Data Analytics (m/w/d)",
        "Product Designer",
    ]
    backend, werkstudent, designer = postings
    assert {p["@type"] for p in postings} == {"JobPosting"}
    assert [p.get("inLanguage") for p in postings] == ["en", "de", "en"]
    assert backend["url"] == "https://careers.nordlicht.example/careers/senior-backend-engineer"
    assert backend["identifier"] == "a1f3"
    assert backend["datePosted"] == "2024-05-02T09:30:00.000Z"
    assert backend["employmentType"] == "FULL_TIME"
    assert backend["department"] == "Engineering"
    assert addresses(backend) == [
        {"@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE"},
        {"@type": "PostalAddress", "addressLocality": "Lisbon", "addressCountry": "PT"},
    ]
    assert backend["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 70000, "maxValue": 90000, "unitText": "YEAR"},
    }
    assert "jobLocationType" not in backend
    assert addresses(werkstudent)[0]["addressRegion"] == "Hamburg"
    assert werkstudent["url"] == "https://careers.nordlicht.example/de/karriere/werkstudent-data"
    assert designer["jobLocationType"] == "TELECOMMUTE"
    assert designer["datePosted"] == 1714557600000  # epoch ms kept as given
    assert designer["url"] == "https://careers.nordlicht.example/careers/product-designer-remote"


def test_next_listing_postings_map_onto_items():
    postings = read("next_listing.html", "https://careers.nordlicht.example/careers")
    item = to_item(
        postings[0], source="nordlicht", page_url="https://careers.nordlicht.example/careers", several_on_page=True
    )
    assert item.title == "Senior Backend Engineer"
    assert item.external_id == "a1f3"
    assert [(loc.city, loc.country) for loc in item.locations] == [("Berlin", "DE"), ("Lisbon", "PT")]
    assert item.salary_raw["currency"] == "EUR"
    assert to_item(postings[2], source="n", page_url="https://x.example/").job_location_type == "TELECOMMUTE"


def test_next_detail_page_gives_its_one_job_not_the_similar_ones():
    (posting,) = read("next_detail.html", "https://www.brasserie-numerique.example/offres/REQ-2024-118")
    assert posting["title"] == "Ingénieur DevOps (H/F)"
    assert posting["identifier"] == "REQ-2024-118"
    assert posting["url"] == "https://apply.brasserie-numerique.example/jobs/REQ-2024-118/apply"
    assert posting["description"].startswith("<p>Vous rejoignez l'équipe plateforme.</p>")
    assert "<li>Kubernetes</li>" in posting["description"]  # the requirements section
    assert "Tickets restaurant" in posting["description"]  # the benefits list
    assert posting["datePosted"] == 1712131200000
    assert posting["validThrough"] == "2024-06-30"
    assert posting["employmentType"] == "Full-time"
    assert posting["inLanguage"] == "fr-FR"
    assert posting["hiringOrganization"] == {"@type": "Organization", "name": "Brasserie Numérique"}
    # The job's own city/country, not again as the "Lyon, France" string beside them.
    assert addresses(posting) == [{"@type": "PostalAddress", "addressLocality": "Lyon", "addressCountry": "FR"}]
    assert posting["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "minValue": "45000",
        "maxValue": "55000",
        "unitText": "YEARLY",
    }
    assert "jobLocationType" not in posting  # hybrid is not remote


def test_nuxt_json_state():
    postings = read("nuxt.html", "https://www.gruposolana.example/empleo")
    assert [p["title"] for p in postings] == ["Desarrollador Frontend", "Atención al cliente"]
    assert postings[0]["identifier"] == "311"
    assert postings[0]["url"] == "https://www.gruposolana.example/empleo/311-desarrollador-frontend"
    assert postings[0]["description"] == "Buscamos un desarrollador con experiencia en Vue."
    assert postings[1]["employmentType"] == "Media jornada"
    assert postings[1]["inLanguage"] == "es"
    assert addresses(postings[1]) == [{"@type": "PostalAddress", "addressLocality": "Sevilla", "addressCountry": "ES"}]


def test_nuxt_function_state_is_skipped():
    page = (
        '<script>window.__NUXT__=(function(a,b){return {data:[{jobs:[{id:1,title:"Engineer",location:a}]}]}}'
        '("Berlin",null));</script>'
    )
    assert app_state_postings(page, "https://x.example/") == []


def test_nuxt3_devalue_payload():
    table = [
        ["ShallowReactive", 1],
        {"data": 2, "state": 9},
        ["Reactive", 3],
        {"careers-list": 4},
        {"openings": 5},
        [6],
        {"id": 7, "title": 8, "location": 10, "publishedAt": 11},
        "o-77",
        "Backend Developer",
        {},
        "Vienna, Austria",
        ["Date", "2024-05-01T00:00:00.000Z"],
    ]
    page = f'<script type="application/json" id="__NUXT_DATA__" data-ssr="true">{json.dumps(table)}</script>'
    (posting,) = app_state_postings(page, "https://jobs.example.at/")
    assert posting["title"] == "Backend Developer"
    assert posting["identifier"] == "o-77"
    assert posting["datePosted"] == "2024-05-01T00:00:00.000Z"
    assert addresses(posting) == ["Vienna, Austria"]


def test_redux_store_jobs_by_id():
    postings = read("initial_state.html", "https://werkenbij.polder.example/vacatures")
    assert [p["identifier"] for p in postings] == ["v-1001", "v-1002"]
    planner = postings[0]
    assert planner["title"] == "Planner Transport"
    assert planner["description"] == "<p>Je plant ritten voor onze vloot.</p>\n<ul><li>Ritplanning</li></ul>"
    assert planner["datePosted"] == "2024-02-01"
    assert planner["validThrough"] == "2024-03-01"
    assert planner["url"] is None
    assert "validThrough" not in postings[1]  # null stays out


def test_apollo_state_resolves_location_and_department_refs():
    postings = read("apollo.html", "https://kestrel.example/careers")
    assert [p["title"] for p in postings] == ["Perception Engineer", "Field Support Technician"]
    engineer, technician = postings
    assert engineer["url"] == "https://kestrel.example/jobs/101-perception-engineer"
    assert engineer["department"] == "Autonomy"
    assert engineer["employmentType"] == "Full-time"
    assert engineer["datePosted"] == "2024-05-20T12:00:00Z"
    assert addresses(engineer) == [
        {"@type": "PostalAddress", "addressLocality": "Pittsburgh", "addressRegion": "PA", "addressCountry": "US"}
    ]
    assert addresses(technician)[0] == {"@type": "PostalAddress", "addressCountry": "US"}
    assert len(addresses(technician)) == 2
    assert technician["jobLocationType"] == "TELECOMMUTE"


def test_phenom_ddo():
    postings = read("phenom.html", "https://careers.meridianhealth.example/us/en/search-results")
    assert [p["identifier"] for p in postings] == ["240118", "240131"]
    nurse, coder = postings
    assert nurse["title"] == "Registered Nurse - ICU"
    assert nurse["url"] == "https://meridianhealth.example/apply/240118"
    assert nurse["datePosted"] == "2024-05-06T00:00:00.000+0000"
    assert nurse["employmentType"] == "Full time"
    assert nurse["department"] == "Nursing"
    assert nurse["inLanguage"] == "en_US"
    assert addresses(nurse) == [
        {
            "@type": "PostalAddress",
            "addressLocality": "Columbus",
            "addressRegion": "Ohio",
            "addressCountry": "United States",
        }
    ]
    assert coder["jobLocationType"] == "TELECOMMUTE"


def test_generic_application_json_block():
    postings = read("generic_json.html", "https://www.cafeserrano.example/trabalhe-conosco")
    assert [p["title"] for p in postings] == ["Analista de Marketing", "Barista"]
    assert postings[0]["identifier"] == "9e1c0b3a-6f7d-4f5e-9c1b-2a3d4e5f6071"
    assert postings[0]["url"] == "https://vagas.cafeserrano.example/9e1c0b3a"
    assert addresses(postings[0]) == ["São Paulo", "Campinas"]
    assert postings[1]["description"] == "<p>Preparar cafés especiais.</p>"
    assert postings[1]["inLanguage"] == "pt-BR"


def test_state_assigned_with_json_parse():
    state = {"jobs": [{"id": 5, "title": "Data Engineer", "location": "Oslo"}]}
    page = f"<script>window.__PRELOADED_STATE__ = JSON.parse({json.dumps(json.dumps(state))});</script>"
    (posting,) = app_state_postings(page, "https://x.example/")
    assert (posting["title"], addresses(posting)) == ("Data Engineer", ["Oslo"])


def test_same_job_twice_is_one_posting_and_jobs_in_a_job_are_none():
    job = {
        "id": "j1",
        "title": "Account Executive",
        "location": "Madrid",
        "related": [{"id": "j2", "title": "SDR", "location": "Madrid"}],
    }
    data = {"props": {"pageProps": {"featured": job, "jobs": [job, {**job, "title": "Account Executive "}]}}}
    postings = app_state_postings(next_page(data), "https://x.example/")
    assert [p["identifier"] for p in postings] == ["j1"]


def test_job_without_location_is_known_by_its_title_or_its_list():
    teaser = {"slug": "x", "summary": "<p>Join the team.</p>"}
    data = {
        "props": {
            "pageProps": {
                "results": [
                    {**teaser, "id": 1, "title": "Backend Engineer"},
                    {**teaser, "id": 2, "title": "Our values"},
                ],
                "openings": [{**teaser, "id": 3, "title": "Barista"}],
            }
        }
    }
    postings = app_state_postings(next_page(data), "https://x.example/")
    assert [p["title"] for p in postings] == ["Backend Engineer", "Barista"]


def test_blog_page_gives_nothing():
    assert read("next_blog.html", "https://nordlicht.example/blog") == []


def test_offices_and_filters_are_not_jobs():
    data = {
        "props": {
            "pageProps": {
                "offices": [
                    {"id": 1, "name": "Berlin", "city": "Berlin", "country": "DE"},
                    {"id": 2, "name": "Oslo", "city": "Oslo"},
                ],
                "page": {
                    "title": "Careers",
                    "slug": "careers",
                    "locations": [
                        {"id": 1, "title": "Berlin", "url": "/berlin"},
                        {"id": 2, "title": "Oslo", "url": "/oslo"},
                    ],
                },
            }
        }
    }
    assert app_state_postings(next_page(data), "https://x.example/") == []


def test_broken_json_block_gives_nothing():
    page = (
        '<script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {"jobs": '
        '[{"id": 1, "title": "Engineer", "location": "Berlin"</script>'
        '<script>window.__INITIAL_STATE__ = {"jobs": [{"id": 2, "title": "Engineer", "location": undefined}]};</script>'
    )
    assert app_state_postings(page, "https://x.example/") == []


def test_huge_non_job_state_gives_nothing_quickly():
    products = [
        {
            "id": n,
            "sku": f"SKU-{n}",
            "name": f"Espresso cup {n}",
            "price": 9.5,
            "description": "<p>Porcelain.</p>",
            "category": "cups",
        }
        for n in range(20_000)
    ]
    stores = [{"id": n, "name": f"Store {n}", "address": {"street": "Main St 1", "city": "Porto"}} for n in range(500)]
    page = f"<script>window.__INITIAL_STATE__ = {json.dumps({'catalog': {'products': products}, 'stores': stores})};</script>"
    started = time.monotonic()
    assert app_state_postings(page, "https://shop.example/") == []
    assert time.monotonic() - started < 5


def test_block_over_the_size_bound_is_not_read():
    padding = "x" * MAX_BLOCK_CHARS
    data = {"padding": padding, "jobs": [{"id": 1, "title": "Engineer", "location": "Berlin"}]}
    assert app_state_postings(next_page(data), "https://x.example/") == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "title",
                    "name",
                    "text",
                    "url",
                    "location",
                    "locations",
                    "description",
                    "salary",
                    "remote",
                    "jobs",
                    "__ref",
                    "__typename",
                    "city",
                    "country",
                    "address",
                    "type",
                    "language",
                    "@type",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=json_values, junk=st.text(max_size=40))
def test_random_state_never_raises(data, junk):
    text = json.dumps(data)
    page = (
        f'<script id="__NEXT_DATA__" type="application/json">{text}</script>'
        f"<script>window.__APOLLO_STATE__ = {text};{junk}</script>"
        f"<script>phApp.ddo = {junk}</script>"
        f'<script type="application/json" id="__NUXT_DATA__">{text}</script>'
    )
    for posting in app_state_postings(page, "https://x.example/jobs/"):
        assert posting["@type"] == "JobPosting"
        assert isinstance(posting["title"], str)
        to_item(posting, source="fuzz", page_url="https://x.example/jobs/")


def test_a_careers_page_with_jobs_only_in_next_data_is_crawled(tmp_path, site_server):
    """End to end: a Next.js careers page without any job markup, crawled by the real `jobatlas crawl`."""
    from conftest import crawl_into, last_run, query

    site = tmp_path / "site"
    (site / "careers").mkdir(parents=True)
    (site / "careers" / "index.html").write_text((SITES / "next_listing.html").read_text(encoding="utf-8"), encoding="utf-8")
    with site_server(site) as (origin, _):
        result, db = crawl_into(tmp_path, [{"name": "nordlicht", "url": f"{origin}/careers/"}], "--workers", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {row["title"]: row for row in query(db, "SELECT * FROM jobs")}
    assert "Senior Backend Engineer" in rows and "Werkstudent Data Analytics (m/w/d)" in rows
    backend = rows["Senior Backend Engineer"]
    assert backend["url"] == f"{origin}/careers/senior-backend-engineer"  # the job's own URL, made absolute
    assert (backend["salary_min"], backend["salary_max"], backend["salary_currency"]) == (70000, 90000, "EUR")
    places = query(db, "SELECT country_code FROM job_locations WHERE job_id = ? ORDER BY position", backend["id"])
    assert [place["country_code"] for place in places] == ["DE", "PT"]
    assert "no_job_markup" not in last_run(db, "nordlicht")["problems"]
