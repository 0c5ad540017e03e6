"""Bad pages and bad servers: the crawl goes on, each problem is counted with its URL in
crawl_runs, and what was already stored stays intact."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time

import pytest
from conftest import SITES, RecordingHandler, run_cli, write_sources

FAST_FAILURES = ["--set", "DOWNLOAD_TIMEOUT=1", "--set", "RETRY_TIMES=0", "--quiet"]


class FaultyHandler(RecordingHandler):
    """The faulty fixture site, plus answers a static folder cannot give."""

    broken = False  # when True, every posting page answers 503 (a whole site having a bad day)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if self.broken and path.startswith("/careers/jobs/"):
            self.requests.append(self.path)
            self.send_body(503, b"<h1>Service unavailable</h1>", "text/html; charset=utf-8")
        elif path == "/careers/jobs/server-error.html":
            self.requests.append(self.path)
            self.send_body(500, b"<h1>Internal error</h1>", "text/html; charset=utf-8")
        elif path == "/careers/jobs/slow.html":
            self.requests.append(self.path)
            time.sleep(3)  # past the crawl's 1 s timeout
            with contextlib.suppress(OSError):
                self.send_body(200, b"<html><body>too late</body></html>", "text/html; charset=utf-8")
        elif path == "/careers/jobs/garbled.html":
            self.requests.append(self.path)
            garbage = bytes(range(0x80, 0x100)) * 40
            self.send_body(200, b"<html><body><h1>" + garbage + b"</h1></body></html>", "text/html; charset=utf-8")
        elif path == "/careers/jobs/brochure":
            self.requests.append(self.path)
            self.send_body(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(2000), "application/pdf")
        else:
            super().do_GET()


def _run(db):
    with contextlib.closing(sqlite3.connect(db)) as connection:
        connection.row_factory = sqlite3.Row
        return dict(connection.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone())


def _jobs(db):
    with contextlib.closing(sqlite3.connect(db)) as connection:
        connection.row_factory = sqlite3.Row
        return {row["title"]: dict(row) for row in connection.execute("SELECT * FROM jobs")}


@pytest.fixture
def faulty_site(site_server):
    handler = type("Faulty", (FaultyHandler,), {})
    with site_server(SITES / "faulty", handler) as (origin, requests):
        yield origin, requests, handler


def test_bad_pages_are_counted_with_their_urls_and_the_crawl_goes_on(faulty_site, tmp_path):
    origin, requests, _ = faulty_site
    sources = write_sources(tmp_path / "sources.yml", [{"name": "harbor", "url": origin + "/careers/"}])
    db = tmp_path / "jobs.db"
    result = run_cli("crawl", "--sources", str(sources), "--db", str(db), *FAST_FAILURES)

    assert result.returncode == 0, result.stderr
    assert set(_jobs(db)) == {"Planner wegtransport", "Disponent Fuhrpark (m/w/d)"}
    run = _run(db)
    assert run["status"] == "partial"
    assert json.loads(run["problems"]) == {
        "bad_json_ld": 1,  # customs-broker: a missing comma
        "http_404": 1,  # filled-position
        "http_500": 1,  # server-error
        "missing_title": 1,  # untitled
        "no_job_markup": 3,  # warehouse-lead, customs-broker (nothing readable), garbled
        "not_html": 1,  # brochure (a PDF)
        "timeout": 1,  # slow
        "undecodable": 1,  # garbled
    }
    assert run["errors"] == 7  # notes (no_job_markup) are not errors
    examples = {(e["kind"], e["url"].removeprefix(origin)) for e in json.loads(run["problem_examples"])}
    assert {
        ("http_404", "/careers/jobs/filled-position.html"),
        ("http_500", "/careers/jobs/server-error.html"),
        ("timeout", "/careers/jobs/slow.html"),
        ("bad_json_ld", "/careers/jobs/customs-broker.html"),
        ("missing_title", "/careers/jobs/untitled.html"),
        ("undecodable", "/careers/jobs/garbled.html"),
        ("not_html", "/careers/jobs/brochure"),
    } <= examples
    assert "http_500 1" in result.stdout and "timeout 1" in result.stdout


def test_a_failing_site_leaves_stored_postings_intact(faulty_site, tmp_path):
    origin, _, handler = faulty_site
    sources = write_sources(tmp_path / "sources.yml", [{"name": "harbor", "url": origin + "/careers/"}])
    db = tmp_path / "jobs.db"
    assert run_cli("crawl", "--sources", str(sources), "--db", str(db), *FAST_FAILURES).returncode == 0
    before = _jobs(db)

    handler.broken = True
    result = run_cli("crawl", "--sources", str(sources), "--db", str(db), *FAST_FAILURES)
    assert result.returncode == 0, result.stderr
    assert _jobs(db) == before  # not rewritten, not closed, not touched
    assert json.loads(_run(db)["problems"])["http_503"] == 10  # every link under /careers/jobs/


def test_an_unreachable_source_fails_without_stopping_the_others(faulty_site, tmp_path):
    origin, _, _ = faulty_site
    sources = write_sources(
        tmp_path / "sources.yml",
        [
            {"name": "gone", "url": "http://127.0.0.1:9/careers/"},  # discard port: refused at once
            {"name": "harbor", "url": origin + "/careers/"},
        ],
    )
    db = tmp_path / "jobs.db"
    result = run_cli("crawl", "--sources", str(sources), "--db", str(db), *FAST_FAILURES)
    assert result.returncode == 1  # one source failed as a whole
    assert len(_jobs(db)) == 2
    with contextlib.closing(sqlite3.connect(db)) as connection:
        statuses = dict(connection.execute("SELECT source, status FROM crawl_runs"))
    assert statuses == {"gone": "failed", "harbor": "partial"}


def test_a_disallowed_path_is_never_fetched(site_server, tmp_path):
    site = tmp_path / "site"
    (site / "careers" / "jobs").mkdir(parents=True)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /careers/jobs/private\n")
    (site / "careers" / "index.html").write_text(
        '<a href="/careers/jobs/private-1.html">a</a> <a href="/careers/jobs/open-1.html">b</a>'
    )
    (site / "careers" / "jobs" / "open-1.html").write_text("<p>no markup</p>")
    (site / "careers" / "jobs" / "private-1.html").write_text("<p>secret</p>")
    with site_server(site) as (origin, requests):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "polite", "url": origin + "/careers/"}])
        run_cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "j.db"), "--quiet")
    assert "/careers/jobs/open-1.html" in requests
    assert "/careers/jobs/private-1.html" not in requests
