"""Careers pages rendered in Chromium (crawler/render.py, crawler/app_shell.py), crawled end to end
with `jobatlas crawl` over the fixture sites in tests/sites/render/.

The browser tests need Debian's Chromium and scrapy-playwright, and are skipped, saying so, only
where they are missing; what happens without them (`needs_browser`) is tested everywhere."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from conftest import SITES, RecordingHandler, crawl_into, last_run, query, run_cli, stored_postings
from parsel import Selector

from crawler.app_shell import app_shell, browser_missing
from crawler.crawl import project_settings
from crawler.sources import SourcesError, parse_sources

SITE = SITES / "render"
MISSING = browser_missing(project_settings(":memory:"))
needs_chromium = pytest.mark.skipif(MISSING is not None, reason=f"no browser to render with: {MISSING}")


@needs_chromium
def test_a_page_rendering_its_jobs_from_json_is_read_with_render_true(tmp_path, site_server):
    with site_server(SITE) as (origin, requests):
        # One request at a time to the host: the rendered page must not keep its own requests waiting.
        result, db = crawl_into(
            tmp_path, [{"name": "rheinwerk", "url": f"{origin}/stellen/", "render": True}],
            "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        )
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


def test_render_is_a_boolean_for_careers_sites_only():
    for entry, words in [
        ({"name": "a", "url": "https://a.example/jobs", "render": "yes"}, "entry 1 (a): render: Input should be a valid boolean"),
        ({"name": "b", "url": "https://boards.greenhouse.io/acme", "render": True}, "render is for careers sites"),
    ]:
        with pytest.raises(SourcesError, match=re.escape(words)):
            parse_sources({"sources": [entry]})
    assert parse_sources({"sources": [{"name": "c", "url": "https://c.example/", "render": False}]})[0].render is False


@needs_chromium
def test_an_application_shell_is_rendered_and_the_source_remembered_as_rendering(tmp_path, site_server):
    with site_server(SITE) as (origin, requests):
        entries = [{"name": "ferrovia", "url": f"{origin}/offres/"}]
        # One worker: a site read before would be split between two, each fetching the listing.
        result, db = crawl_into(tmp_path, entries, "--workers", "1")
        assert result.returncode == 0, result.stderr
        # Fetched plain, taken for a shell (its #app is empty), fetched again by the browser.
        assert requests.count("/offres/") == 2
        requests.clear()
        again, _ = crawl_into(tmp_path, entries, "--workers", "1")
        assert again.returncode == 0, again.stderr
        # The next crawl goes straight to the browser.
        assert requests.count("/offres/") == 1
        # The list's second part came when the page was scrolled to its end.
        assert "/api/offres-2.json" in requests
    run = last_run(db, "ferrovia")
    assert run["status"] == "complete" and run["postings_unchanged"] == 3
    first = query(db, "SELECT problems FROM crawl_runs WHERE source = 'ferrovia' ORDER BY id")[0]
    assert json.loads(first["problems"]) == {"app_shell": 1}
    assert query(db, "SELECT renders FROM sources WHERE name = 'ferrovia'") == [{"renders": 1}]
    postings = {row["external_id"]: row for row in stored_postings(db).values()}
    assert postings["311"]["title"] == "Ingénieure signalisation ferroviaire (H/F)"
    assert postings["311"]["language"] == "fr"
    assert [(p["city"], p["country_code"]) for p in postings["318"]["locations"]] == [("Liège", "BE")]
    assert postings["324"]["title"] == "Cheffe de projet génie civil (H/F)"


def test_what_an_application_shell_looks_like():
    shell = Selector(text='<body><div id="root"></div><script src="/app.js"></script></body>')
    assert app_shell(shell) == "an empty #root and 1 scripts"
    chrome_and_mount = (SITE / "offres" / "index.html").read_text(encoding="utf-8")
    assert app_shell(Selector(text=chrome_and_mount)) == "an empty #app and 1 scripts"
    assert app_shell(Selector(text="<body><p>Keine offenen Stellen.</p><script>track()</script></body>")).startswith("22 characters")
    # Without a script nothing would draw the page; a JSON block is no script.
    assert app_shell(Selector(text='<body><div id="app"></div><script type="application/json">{}</script></body>')) is None
    # A server-rendered app fills its mount point.
    filled = '<body><div id="__next"><h1>Jobs</h1><p>' + "Wir suchen Verstärkung. " * 20 + "</p></div><script src=x.js></script></body>"
    assert app_shell(Selector(text=filled)) is None


class BrowserKillingHandler(RecordingHandler):
    """Kills the crawl's Chromium (found by the profile folder it was given under the crawl's
    TMPDIR) when a page first asks for one of the Polderbouw job lists: a browser crash."""

    profiles: str
    killed: list[int]

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/api/vacatures-") and not self.killed:
            self.killed.extend(_kill_browsers(self.profiles))
        super().do_GET()


def _kill_browsers(profiles: str) -> list[int]:
    killed = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            arguments = cmdline.read_bytes().decode(errors="replace").split("\0")
            browser = not any(argument.startswith("--type=") for argument in arguments)
            if browser and any(argument.startswith(f"--user-data-dir={profiles}") for argument in arguments):
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
                killed.append(int(cmdline.parent.name))
    return killed


@contextlib.contextmanager
def _removed_after(folder: str):
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@needs_chromium
def test_faults_are_counted_and_the_crawl_goes_on(tmp_path, site_server, monkeypatch):
    # Where the crawl's Chromium keeps its fresh profile (a short path: it holds a unix socket).
    profiles = tempfile.mkdtemp(prefix="jobatlas-render-")
    monkeypatch.setenv("TMPDIR", profiles)
    killing = type("Killing", (BrowserKillingHandler,), {"profiles": profiles, "killed": []})
    with site_server(SITE, killing) as (origin, requests), site_server(SITES / "ats" / "greenhouse") as (ats, _), \
            _removed_after(profiles):
        board = json.dumps({"https://job-boards.greenhouse.io/cantieriadriatici": f"{ats}/board.json"})
        result, db = crawl_into(
            tmp_path,
            [
                {"name": "olivares", "url": f"{origin}/empleos/", "render": True},
                {"name": "cantieri", "url": f"{origin}/lavora-con-noi/", "render": True},
                {"name": "polderbouw", "url": f"{origin}/vacatures/", "render": True},
            ],
            # One page at a time in one browser: the crash hits only the page that asked for it.
            "--workers", "1", "--set", "JOBATLAS_RENDER_PAGES=1", "--set", "JOBATLAS_RENDER_TIMEOUT=8",
            "--set", f"JOBATLAS_ENDPOINTS={board}",
        )
    assert killing.killed, "no browser of the crawl was found to kill"
    port = origin.rsplit(":", 1)[1]

    # A script that never settles: the page is given up after its time (8 s: the others, the
    # browser's start included, must fit in it on a busy machine), counted. It was the
    # source's one page, so the source failed (exit status 1); the others were crawled.
    assert result.returncode == 1 and "olivares failed: render_timeout" in result.stderr
    olivares = last_run(db, "olivares")
    assert olivares["problems"] == {"render_timeout": 1}

    # Another host is refused, and counted: the job feed and a widget (notes: real pages ask many
    # hosts for analytics and videos; a page whose jobs were elsewhere shows none, as here). The
    # ATS API the page asked is the board behind it, crawled after the site.
    cantieri = last_run(db, "cantieri")
    assert cantieri["problems"] == {"render_refused": 2, "ats_board_found": 1, "no_job_markup": 1, "no_postings_found": 1}
    refused = sorted(e["detail"].split(":")[0] + " " + e["url"] for e in cantieri["problem_examples"] if e["kind"] == "render_refused")
    assert refused == [f"fetch http://localhost:{port}/api/posizioni.json", f"script http://localhost:{port}/static/widget.js"]
    assert "/api/posizioni.json" not in requests and "/static/widget.js" not in requests
    assert query(db, "SELECT COUNT(*) AS jobs FROM jobs WHERE source = 'cantieri.greenhouse'")[0]["jobs"] > 0

    # The browser died under one city's page: that page is counted, the other one is read in a
    # new browser.
    polderbouw = last_run(db, "polderbouw")
    assert polderbouw["problems"] == {"browser_restarted": 1}
    (crashed,) = [e["url"] for e in polderbouw["problem_examples"]]
    titles = {row["title"] for row in stored_postings(db).values() if row["source"] == "polderbouw"}
    read = {"utrecht": {"Uitvoerder woningbouw"}, "rotterdam": {"Werkvoorbereider infra"}}
    assert titles == read["rotterdam" if crashed.endswith("utrecht.html") else "utrecht"]


@needs_chromium
def test_sources_try_renders_an_application_shell(site_server):
    with site_server(SITE) as (origin, _):
        result = run_cli("sources", "try", f"{origin}/offres/")
    assert result.returncode == 0, result.stderr
    # Nothing in the page as served; three postings once rendered and scrolled, the crawl's path.
    assert re.search(r"^embedded state\s+0$", result.stdout, re.MULTILINE)
    assert re.search(r"^rendered\s+3\s+yes\s+an application shell \(an empty #app and 1 scripts\); 2 JSON answers", result.stdout, re.MULTILINE)
    assert "Cheffe de projet génie civil (H/F)" in result.stdout and "Liège, Belgique → Liège, BE" in result.stdout
