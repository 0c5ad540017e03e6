"""`jobatlas sources try NAME|URL` fetches one page on 127.0.0.1 and shows what each path reads
from it, as the crawl would store it, through the real CLI."""

from __future__ import annotations

import json

from conftest import SITES, run_cli, write_sources

RECIPE = {"postings": "a.oferta", "title": "h1.titol", "location": ".lloc::text", "description": "div.cos",
          "date": "time::attr(datetime)"}


def test_a_posting_page_under_a_source_with_a_recipe(tmp_path, site_server):
    with site_server(SITES / "recipe") as (origin, _):
        sources = write_sources(tmp_path / "s.yml", [{"name": "vallfosca", "url": f"{origin}/ofertes/", "recipe": RECIPE}])
        result = run_cli("sources", "try", f"{origin}/ofertes/detall-33.html", "--sources", str(sources))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "source: vallfosca" in out
    assert "recipe                    1  yes   postings: a.oferta, title: h1.titol" in out
    stored = out.split("recipe, posting 1 (what the crawl stores):")[1].split("\n\n")[0]
    assert "title            Comercial de zona" in stored
    assert "locations        Zaragoza, España → Zaragoza, ES" in stored
    assert "language         es (detected)" in stored  # from the text: the page says lang="ca"
    assert "date_posted      2026-10-20" in stored
    # The DOM fallback reads the page too; the crawl does not use it for a source with a recipe.
    assert "dom fallback, posting 1 (not used):" in out


def test_the_careers_url_as_json_shows_the_links_the_recipe_names(tmp_path, site_server):
    with site_server(SITES / "recipe") as (origin, _):
        sources = write_sources(tmp_path / "s.yml", [{"name": "vallfosca", "url": f"{origin}/ofertes/", "recipe": RECIPE}])
        result = run_cli("sources", "try", "vallfosca", "--sources", str(sources), "--format", "json")
    assert result.returncode == 0, result.stderr
    trial = json.loads(result.stdout)
    assert trial["url"] == f"{origin}/ofertes/" and trial["status"] == 200 and trial["read_by"] is None
    assert trial["links_by"] == "recipe"
    assert trial["posting_links"] == [f"{origin}/ofertes/detall.php?id={n}" for n in (31, 32, 33)]
    assert "reads it as a listing" in trial["notes"][0]


def test_markup_and_ats_boards_without_a_sources_file(tmp_path, site_server):
    missing = tmp_path / "none.yml"
    with site_server(SITES / "faulty") as (origin, _):
        marked = run_cli("sources", "try", f"{origin}/careers/jobs/fleet-planner-hamburg.html", "--sources", str(missing), "--format", "json")
    with site_server(SITES / "dom" / "sonnenkorn") as (origin, _):
        linking = run_cli("sources", "try", f"{origin}/stellen/ausbildung.html", "--sources", str(missing), "--format", "json")
    assert marked.returncode == linking.returncode == 0, marked.stderr + linking.stderr
    trial = json.loads(marked.stdout)
    assert trial["source"] is None and trial["read_by"] == "json-ld/microdata"
    posting = next(r for r in trial["readings"] if r["path"] == "json-ld/microdata")["postings"][0]
    assert posting["title"] == "Disponent Fuhrpark (m/w/d)" and posting["locations"][0]["country_code"] == "DE"
    assert json.loads(linking.stdout)["ats_boards"] == {"https://sonnenkorn.jobs.personio.de": "personio"}


def test_what_cannot_be_tried_is_said(tmp_path, site_server):
    sources = write_sources(tmp_path / "s.yml", [{"name": "acme", "url": "https://boards.greenhouse.io/acme"}])
    unknown = run_cli("sources", "try", "nobody", "--sources", str(sources))
    board = run_cli("sources", "try", "acme", "--sources", str(sources))
    with site_server() as (origin, _):
        gone = run_cli("sources", "try", f"{origin}/jobs/42", "--sources", str(sources))
    assert unknown.returncode == 2 and "no source named 'nobody' (give a URL, or one of: acme)" in unknown.stderr
    assert board.returncode == 2 and "acme is a greenhouse board, read through its API" in board.stderr
    assert gone.returncode == 1 and "could not fetch" in gone.stderr and "404" in gone.stderr
