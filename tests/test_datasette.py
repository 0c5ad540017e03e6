"""Datasette on the demo store, through Datasette's internal client: the metadata explains every
table and column, the canned queries answer (and take hostile parameters as data), the facets
count and filter, the search finds, and the map and chart are fed.

The demo store is built once for the module by the real `jobatlas demo` (in a subprocess:
Scrapy runs once per process); expected answers come from data/demo/manifest.json."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from conftest import run_cli

from datasette_dashboards import replace_opts_in_query

from crawler.browse import build_datasette, datasette_metadata
from crawler.cli import main
from crawler.data import data_dir
from pipelines import queries
from pipelines.store import JOB_COLUMNS

MANIFEST = json.loads((data_dir() / "demo" / "manifest.json").read_text(encoding="utf-8"))
METADATA = datasette_metadata()
QUERIES = METADATA["databases"]["jobs"]["queries"]

# In the lifecycle copy: nordwerk's postings were first seen in January, the others in March,
# and fiorenza's were found gone in April.
EARLY, LATE, CLOSED_AT = "2026-01-10T08:00:00+00:00", "2026-03-01T12:00:00+00:00", "2026-04-15T09:00:00+00:00"

HOSTILE = [
    "fr' OR '1'='1",
    "'; DROP TABLE jobs; --",
    "x') UNION SELECT name, sql, 1 FROM sqlite_master --",
    "2020-01-01' OR 1=1 --",
    "%",
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("datasette")
    demo = tmp / "demo.db"
    result = run_cli("demo", "--db", str(demo))
    assert result.returncode == 0, result.stderr
    lifecycle = tmp / "lifecycle.db"
    with contextlib.closing(sqlite3.connect(demo)) as source, contextlib.closing(sqlite3.connect(lifecycle)) as copy:
        source.backup(copy)
        with copy:
            copy.execute("UPDATE jobs SET first_seen_at = CASE source WHEN 'nordwerk' THEN ? ELSE ? END", (EARLY, LATE))
            copy.execute("UPDATE jobs SET status = 'closed', closed_at = ? WHERE source = 'fiorenza'", (CLOSED_AT,))
    return {"demo": demo, "lifecycle": lifecycle}


@pytest.fixture(scope="module")
def loop():
    # One loop for the module: Datasette keeps asyncio state between requests.
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def get(stores, loop):
    """get(path, store="demo") → httpx.Response from the Datasette that `jobatlas serve` runs."""
    instances = {name: build_datasette(path) for name, path in stores.items()}

    def fetch(path: str, store: str = "demo", follow_redirects: bool = True) -> httpx.Response:
        return loop.run_until_complete(instances[store].client.get(path, follow_redirects=follow_redirects))

    return fetch


def rows(get, query: str, store: str = "demo", **params: str) -> list[dict]:
    response = get(f"/jobs/{query}.json?{urlencode({**params, '_shape': 'array'})}", store)
    assert response.status_code == 200, response.text
    return response.json()


def sql(get, text: str, store: str = "demo", **params: str) -> list[dict]:
    response = get(f"/jobs.json?{urlencode({'sql': text, **params, '_shape': 'array'})}", store)
    assert response.status_code == 200, response.text
    return response.json()


def expected_countries(language: str) -> list[dict]:
    counts = Counter(c for p in MANIFEST if p["language"] == language for c in set(p["countries"]))
    return sorted(({"country_code": c, "jobs": n} for c, n in counts.items()), key=lambda r: (-r["jobs"], r["country_code"]))


# -- the metadata --------------------------------------------------------------------------------


def test_metadata_explains_every_table_and_column(stores):
    tables = METADATA["databases"]["jobs"]["tables"]
    with contextlib.closing(sqlite3.connect(stores["demo"])) as connection:
        names = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'jobs_fts%' AND name NOT LIKE 'sqlite_%'"
        )]
        for name in names:
            assert name in tables, f"{name} has no description"
            assert tables[name].get("description") or tables[name].get("description_html"), name
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info([{name}])")]
            assert sorted(tables[name].get("columns", {})) == sorted(columns), name


def test_home_page_leads_to_the_key_question_the_chart_and_the_map(get):
    page = get("/").text
    assert "<title>jobatlas" in page
    for link in ("/jobs/countries_for_language?lang=fr", "/-/dashboards/where-the-jobs-are", "/jobs/open_postings_by_city"):
        assert f'href="{link}"' in page
        assert get(link).status_code == 200, link


@pytest.mark.parametrize("path", ["/jobs/jobs", "/jobs/open_postings_by_city", "/-/dashboards/where-the-jobs-are"])
def test_pages_load_scripts_and_styles_from_this_server_only(get, path):
    page = get(path).text
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert any(asset.endswith(".js") for asset in assets), path
    assert [asset for asset in assets if urlsplit(asset).netloc not in ("", "localhost")] == []  # no CDN: works offline


# -- canned queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "de", "en", "es", "pt", "it"])
def test_countries_for_a_language(get, language):
    answer = rows(get, "countries_for_language", lang=language)
    assert [{"country_code": r["country_code"], "jobs": r["jobs"]} for r in answer] == expected_countries(language)
    assert all(r["country"] for r in answer)


def test_countries_for_a_language_by_name_and_in_any_case(get):
    assert rows(get, "countries_for_language", lang=" French ") == rows(get, "countries_for_language", lang="FR")
    assert rows(get, "countries_for_language", lang="fr")
    assert rows(get, "countries_for_language", lang="ja") == []


def test_languages_for_a_country_by_code_or_name(get):
    expected = Counter(p["language"] for p in MANIFEST if "CH" in p["countries"])
    answer = rows(get, "languages_for_country", country="ch")
    assert {r["language_code"]: r["jobs"] for r in answer} == dict(expected)
    assert {r["language"] for r in answer} == {"German", "Italian"}
    assert rows(get, "languages_for_country", country="Switzerland") == answer


@pytest.mark.parametrize(
    "since, sources",
    [
        ("2026-01-01", {"nordwerk", "maison-lumiere", "solmar", "brightpath", "fiorenza"}),
        ("2026-02-01", {"maison-lumiere", "solmar", "brightpath", "fiorenza"}),
        ("2026-03-01T12:00:00Z", {"maison-lumiere", "solmar", "brightpath", "fiorenza"}),
        ("2026-03-01T13:30:00+02:00", {"maison-lumiere", "solmar", "brightpath", "fiorenza"}),  # 11:30 UTC
        ("2026-03-01T12:00:01", set()),
        ("last tuesday", set()),
    ],
)
def test_new_postings_since_a_date(get, since, sources):
    answer = rows(get, "new_postings_since", "lifecycle", since=since)
    per_site = Counter(p["site"] for p in MANIFEST)
    assert len(answer) == sum(per_site[s] for s in sources)
    assert all(r["first_seen_at"] in (EARLY, LATE) and r["title"] and r["countries"] for r in answer)


def test_closed_postings_since_a_date(get):
    closed = rows(get, "closed_postings_since", "lifecycle", since="2026-04-01")
    assert sorted(r["title"] for r in closed) == sorted(p["title"] for p in MANIFEST if p["site"] == "fiorenza")
    assert {r["closed_at"] for r in closed} == {CLOSED_AT}
    assert rows(get, "closed_postings_since", "lifecycle", since="2026-04-16") == []
    assert rows(get, "closed_postings_since", since="2000-01-01") == []  # nothing closed in the demo


def test_open_postings_of_a_company(get):
    nordwerk = rows(get, "open_postings_for_company", "lifecycle", company="nordwerk")
    assert sorted(r["title"] for r in nordwerk) == sorted(p["title"] for p in MANIFEST if p["site"] == "nordwerk")
    assert {r["company"] for r in nordwerk} == {"Nordwerk GmbH"}
    assert {r["language"] for r in nordwerk} == {"German"}
    assert rows(get, "open_postings_for_company", "lifecycle", company="GMBH") == nordwerk
    assert rows(get, "open_postings_for_company", "lifecycle", company="fiorenza") == []  # all closed
    assert rows(get, "open_postings_for_company", "lifecycle", company="") == []


def test_countries_where_a_company_has_offers_in_a_language(get):
    # The founding example's list: for one company, only the countries with offers in that language.
    for site, company, language in [("brightpath", "brightpath", "en"), ("maison-lumiere", "lumière", "fr")]:
        expected = Counter(c for p in MANIFEST if p["site"] == site and p["language"] == language for c in set(p["countries"]))
        answer = rows(get, "countries_for_company", company=company, lang=language)
        assert {r["country_code"]: r["jobs"] for r in answer} == dict(expected), site
        assert len({r["company"] for r in answer}) == 1
    assert rows(get, "countries_for_company", company="BRIGHTPATH", lang="English") == rows(
        get, "countries_for_company", company="brightpath", lang="en")
    assert rows(get, "countries_for_company", company="brightpath", lang="ja") == []
    assert rows(get, "countries_for_company", company="", lang="en") == []


@pytest.mark.parametrize(("query", "params"), [
    ("countries_for_language", {"lang": "fr"}),
    ("languages_for_country", {"country": "CH"}),
    ("countries_for_company", {"company": "brightpath", "lang": "en"}),
])
def test_each_count_links_to_the_postings_it_counts(get, query, params):
    page = get(f"/jobs/{query}?{urlencode(params)}").text
    links = re.findall(r'<td class="col-jobs[^"]*"><a href="([^"]+)">(\d+)</a></td>', page)
    assert links and len(links) == len(rows(get, query, **params))
    for href, count in links:
        href = href.replace("&amp;", "&")
        assert href.startswith("/jobs/jobs?") and "status=open" in href
        postings = get(href.replace("/jobs/jobs?", "/jobs/jobs.json?") + "&_shape=array&_size=max").json()
        # The demo publishes each job once: as many postings as the count, all open.
        assert len(postings) == int(count), href
        assert {posting["status"] for posting in postings} == {"open"}


def test_map_tiles_are_served_with_the_store_when_offline(get, stores):
    tile = get("/-/basemap/0/0/0.png")
    assert tile.status_code == 200 and tile.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert get("/-/basemap/6/33/21.png").status_code == 200  # central Europe, the finest zoom shipped
    assert get("/-/basemap/7/66/42.png").status_code == 404  # past it: the map scales zoom 6 up
    page = get("/jobs/open_postings_by_city").text
    assert 'window.DATASETTE_CLUSTER_MAP_TILE_LAYER = "/-/basemap/{z}/{x}/{y}.png"' in page
    online = build_datasette(stores["demo"], online_tiles=True)
    page = asyncio.new_event_loop().run_until_complete(online.client.get("/jobs/open_postings_by_city")).text
    assert "tile.openstreetmap.org" in page and "/-/basemap/" not in page


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "query, parameter",
    [
        ("countries_for_language", "lang"),
        ("languages_for_country", "country"),
        ("new_postings_since", "since"),
        ("closed_postings_since", "since"),
        ("open_postings_for_company", "company"),
        ("countries_for_company", "company"),
        ("countries_for_company", "lang"),
    ],
)
def test_canned_queries_take_hostile_parameters_as_data(get, query, parameter, value):
    assert rows(get, query, **{parameter: value}) == []
    assert sql(get, "select count(*) as n from jobs") == [{"n": len(MANIFEST)}]


def test_a_canned_query_runs_its_own_sql_whatever_the_url_says(get):
    answer = rows(get, "countries_for_language", lang="fr", sql="select name from sqlite_master")
    assert answer == rows(get, "countries_for_language", lang="fr") != []


# -- facets, labels, search ----------------------------------------------------------------------


def local(url: str) -> str:
    """A toggle URL (absolute, http://localhost/...) as a path for the internal client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def facets(get, path: str) -> dict[str, dict]:
    response = get(path)
    assert response.status_code == 200, response.text
    return response.json()["facet_results"]


def test_jobs_facets_show_names_and_count_postings(get):
    results = facets(get, "/jobs/jobs.json?_size=0")
    assert set(results) == {"language", "country", "company", "source", "workplace", "employment_type", "status"}
    language = {v["label"]: v["count"] for v in results["language"]["results"]}
    assert language == {
        {"fr": "French", "de": "German", "en": "English", "es": "Spanish", "pt": "Portuguese", "it": "Italian"}[code]: n
        for code, n in Counter(p["language"] for p in MANIFEST).items()
    }
    country = {v["value"]: v["count"] for v in results["country"]["results"]}
    assert country == Counter(c for p in MANIFEST for c in set(p["countries"]))
    assert {v["value"]: v["label"] for v in results["country"]["results"]}["CH"] == "Switzerland"
    assert {v["value"]: v["count"] for v in results["status"]["results"]} == {"open": len(MANIFEST)}


def test_picking_a_country_keeps_the_postings_offered_there(get):
    country = facets(get, "/jobs/jobs.json")["country"]["results"]
    switzerland = next(v for v in country if v["value"] == "CH")
    picked = get(local(switzerland["toggle_url"]) + "&_shape=objects").json()
    assert sorted(r["title"] for r in picked["rows"]) == sorted(p["title"] for p in MANIFEST if "CH" in p["countries"])
    chosen = next(v for v in picked["facet_results"]["country"]["results"] if v["value"] == "CH")
    assert chosen["selected"] and "_through" not in chosen["toggle_url"]  # one more click undoes it


def test_picking_a_language_and_a_country_together(get):
    both = get("/jobs/jobs.json?_country=CH&language=de&_shape=objects").json()
    assert len(both["rows"]) == sum(1 for p in MANIFEST if "CH" in p["countries"] and p["language"] == "de") > 0
    assert 'country is "Switzerland"' in both["human_description_en"]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_country_filter_takes_hostile_values_as_data(get, value):
    response = get("/jobs/jobs.json?" + urlencode({"_country": value, "_shape": "array"}))
    assert response.status_code == 200 and response.json() == []


def test_a_through_facet_on_an_unrelated_table_is_refused_clearly(stores, loop, monkeypatch):
    metadata = datasette_metadata()
    facets = metadata["databases"]["jobs"]["tables"]["jobs"]["facets"]
    facets.append({"through": {"table": "countries", "column": "name"}})  # countries does not point at jobs
    monkeypatch.setattr("crawler.browse.datasette_metadata", lambda: metadata)
    response = loop.run_until_complete(build_datasette(stores["demo"]).client.get("/jobs/jobs.json"))
    assert response.status_code == 400
    assert "countries.name does not point at jobs" in response.text


def test_codes_show_their_names_in_table_cells(get):
    jobs = get("/jobs/jobs?_col=language&_size=100").text
    assert '<a href="/jobs/languages/de">German</a>&nbsp;<em>de</em>' in jobs
    locations = get("/jobs/job_locations?_size=100").text
    assert '<a href="/jobs/countries/CH">Switzerland</a>&nbsp;<em>CH</em>' in locations
    location_facets = facets(get, "/jobs/job_locations.json?_size=0")
    assert {v["value"]: v["label"] for v in location_facets["country_code"]["results"]}["DE"] == "Germany"


def test_search_looks_in_titles_and_descriptions(get):
    found = get("/jobs/jobs.json?" + urlencode({"_search": "luminaires", "_shape": "array"})).json()
    french = {p["title"] for p in MANIFEST if p["site"] == "maison-lumiere" and p["language"] == "fr"}
    assert found and {r["title"] for r in found} <= french
    hostile = get("/jobs/jobs.json?" + urlencode({"_search": "' OR 1=1 --", "_shape": "array"}))
    assert hostile.status_code == 200 and hostile.json() == []


def test_jobs_are_sorted_newest_first_and_sortable_by_any_column(get):
    newest_first = [r["first_seen_at"] for r in get("/jobs/jobs.json?_shape=array", "lifecycle").json()]
    assert newest_first == sorted(newest_first, reverse=True) and newest_first[-1] == EARLY
    titles = [r["title"] for r in get("/jobs/jobs.json?_sort=title&_shape=array").json()]
    assert titles == sorted(titles) and len(titles) == len(MANIFEST)


# -- pictures ------------------------------------------------------------------------------------


def test_map_query_places_open_postings_on_the_cluster_map(get):
    places = rows(get, "open_postings_by_city")
    located = Counter()
    for row in sql(get, "select latitude, longitude, job_id from job_locations where latitude is not null"):
        located[(row["latitude"], row["longitude"])] += 1
    assert sum(r["jobs"] for r in places) == sum(located.values())
    assert all(r["latitude"] is not None and r["longitude"] is not None and r["country"] for r in places)
    assert "datasette-cluster-map.js" in get("/jobs/open_postings_by_city").text


def test_chart_of_postings_per_language_per_country(get):
    dashboard = METADATA["plugins"]["datasette-dashboards"]["where-the-jobs-are"]
    chart = dashboard["charts"]["language-country"]
    data = sql(get, chart["query"])
    names = {"fr": "French", "de": "German", "en": "English", "es": "Spanish", "pt": "Portuguese", "it": "Italian"}
    country_names = {r["code"]: r["name"] for r in sql(get, "select code, name from countries")}
    expected = Counter(
        (country_names[c], names[p["language"]]) for p in MANIFEST for c in set(p["countries"])
    )
    assert {(r["country"], r["language"]): r["jobs"] for r in data} == expected
    page = get("/-/dashboards/where-the-jobs-are").text
    assert "renderChart('language-country'" in page and "vega-lite.min.js" in page


def test_serve_refuses_a_missing_store(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1
    assert "no database at" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_the_trend_chart_draws_what_jobatlas_trend_prints(get, stores):
    dashboard = METADATA["plugins"]["datasette-dashboards"]["open-jobs-over-time"]
    assert get("/-/dashboards/open-jobs-over-time?lang=de").status_code == 200
    chart_sql = dashboard["charts"]["trend"]["query"]
    with contextlib.closing(sqlite3.connect(stores["lifecycle"])) as connection:
        first, last = connection.execute("SELECT MIN(first_seen_at), MAX(last_seen_at) FROM jobs").fetchone()
        for language, params in [("de", {"lang": "German"}), ("it", {"lang": "it"}), ("de", {"lang": "de", "country": "ch"})]:
            # As the dashboard runs it: its optional clauses kept for the filters given, through Datasette.
            answer = sql(get, replace_opts_in_query(chart_sql, params), "lifecycle", **params)
            weeks = queries.trend(connection, language, date.fromisoformat(first[:10]),
                                  date.fromisoformat(last[:10]) + timedelta(days=6 - date.fromisoformat(last[:10]).weekday()),
                                  "week", params.get("country", "").upper() or None)
            assert sorted((r["week"], r["country"], r["jobs"]) for r in answer) == sorted(
                (r["period"], r["country_code"], r["jobs"]) for r in weeks), params
            assert answer
    # The Italian postings (fiorenza) were closed on 2026-04-15: open in the week ending the 12th, not after.
    italian = {r["week"]: r["jobs"] for r in sql(get, replace_opts_in_query(chart_sql, {"lang": "it"}), "lifecycle", lang="it")}
    assert italian["2026-04-12"] > 0 and "2026-04-19" not in italian


def test_the_jobs_table_opens_on_the_columns_a_reader_needs(get):
    response = get("/jobs/jobs", follow_redirects=False)
    assert response.status_code == 302
    readable = response.headers["location"]
    page = get(readable).text
    shown = re.findall(r'<th [^>]*data-column="([^"]+)"', page)
    assert shown == ["id", "title", "company", "language", "countries", "workplace", "first_seen_at"]
    assert "German" in page and "Switzerland" in page  # codes labelled, the country facet still there
    # The rest one click away, and every other address as asked.
    every = re.findall(r'<th [^>]*data-column="([^"]+)"', get("/jobs/jobs?_nocol=content_hash").text)
    assert len(every) == len(JOB_COLUMNS) - 1 and "description" in every
    assert get("/jobs/jobs?language=de").status_code == 200
    assert get("/jobs/jobs.json?_shape=array").status_code == 200


def test_a_postings_page_shows_its_text_with_its_labels_beside_it(get):
    posting = sql(get, "select id, title, description from jobs where language = 'de' and countries like '%CH%' limit 1")[0]
    page = get(f"/jobs/jobs/{posting['id']}").text
    text = re.search(r'<div class="description">(.*?)</div>', page, re.DOTALL).group(1)
    assert html.unescape(text) == posting["description"] and "\n" in text  # the text whole, its lines kept
    assert re.search(r'<h2 class="title">([^<]+)</h2>', page).group(1) == html.escape(posting["title"])
    labels = dict(re.findall(r'<dt class="col-([\w-]+)"[^>]*>[^<]*</dt>\s*<dd class="col-[\w-]+">(.*?)</dd>', page, re.DOTALL))
    assert "German" in labels["language"] and "CH" in labels["countries"]
    assert {"company", "workplace", "first_seen_at", "url", "cluster_id"} <= set(labels)
    assert "description" not in labels and "content_hash" not in labels
    assert all(value.strip() for value in labels.values())  # only the labels it has
