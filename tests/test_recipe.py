"""A recipe in the sources file reads a careers site that has no job markup at all: an HTML-only
Catalan/Spanish site served on 127.0.0.1, crawled by the real `jobatlas crawl`."""

from __future__ import annotations

import pytest
from conftest import SITES, RecordingHandler, crawl_into, last_run, query, write_sources, run_cli
from parsel import Selector

from crawler.recipe import Recipe
from crawler.sources import SourcesError, parse_sources

RECIPE = {
    "postings": "a.oferta",
    "title": "h1.titol",
    "location": ".lloc::text",
    "description": "div.cos",
    "date": "time::attr(datetime)",
}


class PhpSite(RecordingHandler):
    """The fixture site, with its postings behind `detall.php?id=N` as on the real thing."""

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/ofertes/detall.php?id="):
            self.path = f"/ofertes/detall-{self.path.rsplit('=', 1)[1]}.html"
        super().do_GET()


def test_a_site_without_markup_is_read_through_its_recipe(tmp_path, site_server):
    (tmp_path / "plain").mkdir()
    with site_server(SITES / "recipe", PhpSite) as (origin, requests):
        without, _ = crawl_into(tmp_path / "plain", [{"name": "vallfosca", "url": f"{origin}/ofertes/"}], "--workers", "1")
        requests.clear()
        result, db = crawl_into(tmp_path, [{"name": "vallfosca", "url": f"{origin}/ofertes/", "recipe": RECIPE}], "--workers", "1")
    # Without the recipe, the DOM fallback reads these plain posting pages, but not their dates.
    plain = query(tmp_path / "plain" / "jobs.db", "SELECT title, date_posted FROM jobs ORDER BY title")
    assert without.returncode == 0 and [(row["title"], row["date_posted"]) for row in plain] == [
        ("Comercial de zona", None), ("Responsable de magatzem", None), ("Tècnica de manteniment", None),
    ]
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {row["title"]: row for row in query(db, "SELECT * FROM jobs ORDER BY title")}
    assert set(rows) == {"Tècnica de manteniment", "Responsable de magatzem", "Comercial de zona"}
    # The language comes from each posting's own text: Catalan pages, one posting in Spanish.
    assert {title: row["language"] for title, row in rows.items()} == {
        "Tècnica de manteniment": "ca", "Responsable de magatzem": "ca", "Comercial de zona": "es",
    }
    assert rows["Comercial de zona"]["date_posted"] == "2026-10-20"
    assert rows["Tècnica de manteniment"]["description"].startswith("Busquem una persona tècnica")
    assert "Inici" not in rows["Tècnica de manteniment"]["description"]  # the page chrome is left out
    countries = query(db, "SELECT j.title, l.city, l.country_code FROM job_locations l JOIN jobs j ON j.id = l.job_id ORDER BY j.title")
    assert [(c["city"], c["country_code"]) for c in countries] == [("Zaragoza", "ES"), ("Tremp", "ES"), ("Lleida", "ES")]
    # Only the links the recipe names were followed as postings: not the privacy page.
    assert "/ofertes/politica-de-privacitat.html" not in requests
    assert sorted(path for path in requests if "detall" in path) == [f"/ofertes/detall-{n}.html" for n in (31, 32, 33)]
    assert last_run(db, "vallfosca")["status"] == "complete"


def test_recipe_by_regex_and_xpath():
    recipe = Recipe(postings=r"regex:detall\.php\?id=\d+", title="xpath://h1", location="xpath://p[@class='lloc']/text()")
    listing = Selector(text=(SITES / "recipe" / "ofertes" / "index.html").read_text(encoding="utf-8"))
    assert recipe.posting_links(listing, "https://vallfosca.example/ofertes/") == {
        f"https://vallfosca.example/ofertes/detall.php?id={n}" for n in (31, 32, 33)
    }
    page = Selector(text=(SITES / "recipe" / "ofertes" / "detall-33.html").read_text(encoding="utf-8"))
    node = recipe.posting(page, "https://vallfosca.example/ofertes/detall.php?id=33")
    assert node["title"] == "Comercial de zona" and node["jobLocation"] == ["Zaragoza, España"]
    assert recipe.posting(Selector(text="<html><body><p>no title</p></body></html>"), "https://x.example/") is None


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ({"title": "h1[["}, "recipe.title: not a valid CSS selector"),
        ({"title": "xpath://h1["}, "recipe.title: not a valid XPath"),
        ({"postings": "regex:(("}, "recipe.postings: not a regular expression"),
        ({"titel": "h1"}, "recipe.titel: unknown key"),
    ],
)
def test_a_bad_recipe_is_refused_naming_the_field(recipe, message):
    with pytest.raises(SourcesError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_sources({"sources": [{"name": "a", "url": "https://a.example/jobs/", "recipe": recipe}]})


def test_a_recipe_is_only_for_careers_sites(tmp_path):
    sources = write_sources(tmp_path / "s.yml", [{"name": "a", "url": "https://jobs.lever.co/acme", "recipe": {"title": "h1"}}])
    result = run_cli("sources", "check", str(sources))
    assert result.returncode == 2 and "a recipe is for careers sites" in result.stderr
