"""Careers pages rendered in Chromium (crawler/render.py, crawler/app_shell.py), crawled end to end
with `jobatlas crawl` over the fixture sites in tests/sites/render/.

The browser tests need Debian's Chromium and scrapy-playwright, and are skipped, saying so, only
where they are missing; what happens without them (`needs_browser`) is tested everywhere."""

from __future__ import annotations

import shutil

import pytest
from conftest import SITES, crawl_into, last_run, stored_postings

from crawler.app_shell import browser_missing
from crawler.crawl import project_settings

SITE = SITES / "render"
MISSING = browser_missing(project_settings(":memory:"))
needs_chromium = pytest.mark.skipif(MISSING is not None, reason=f"no browser to render with: {MISSING}")


@needs_chromium
def test_a_page_rendering_its_jobs_from_json_is_read_with_render_true(tmp_path, site_server):
    with site_server(SITE) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "rheinwerk", "url": f"{origin}/stellen/", "render": True}])
    assert result.returncode == 0, result.stderr
    run = last_run(db, "rheinwerk")
    assert run["status"] == "complete", run["problems"]
    postings = {row["external_id"]: row for row in stored_postings(db).values()}
    # Two jobs in the first answer, the third only after "Mehr laden" was clicked.
    assert sorted(postings) == ["RW-1041", "RW-1042", "RW-1050"]
    werkstudent = postings["RW-1050"]
    assert werkstudent["title"] == "Werkstudent Supply Chain Analytics (m/w/d)"
    assert werkstudent["url"] == f"{origin}/stellen/RW-1050"
    assert werkstudent["language"] == "de"
    assert werkstudent["employment_type"] == "PART_TIME"
    assert [(place["city"], place["country_code"]) for place in werkstudent["locations"]] == [("Düsseldorf", "DE")]
    assert "Sendungsdaten" in werkstudent["description"]
    # The browser's requests were Scrapy's; what shows no job (images, fonts) was never fetched.
    assert "/api/stellen-2.json" in requests and "/static/stellen.js" in requests
    assert not [path for path in requests if path.endswith((".png", ".jpg", ".woff2"))]


def test_without_a_browser_a_source_that_renders_says_how_to_install_one(tmp_path, site_server):
    with site_server(SITE) as (origin, requests):
        result, db = crawl_into(
            tmp_path, [{"name": "rheinwerk", "url": f"{origin}/stellen/", "render": True}],
            "--set", "JOBATLAS_CHROMIUM=/nonexistent/chromium",
        )
    run = last_run(db, "rheinwerk")
    assert run["problems"].get("needs_browser") == 1
    (example,) = [e for e in run["problem_examples"] if e["kind"] == "needs_browser"]
    assert "apt-get install chromium" in example["detail"]
    assert run["status"] == "partial"
    # The page was still fetched as it is: nothing in it, and nothing stored.
    assert "/stellen/" in requests and "/api/stellen-1.json" not in requests
    assert not stored_postings(db)


def test_render_is_a_boolean_for_careers_sites_only(tmp_path):
    for entry, words in [
        ({"name": "a", "url": "https://a.example/jobs", "render": "yes"}, "render"),
        ({"name": "b", "url": "https://boards.greenhouse.io/acme", "render": True}, "render is for careers sites"),
    ]:
        result, _ = crawl_into(tmp_path, [entry])
        assert result.returncode == 2
        assert words in result.stderr
