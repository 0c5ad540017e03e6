"""Safe scheduling: one crawl per store at a time, and a crawl that is stopped - politely or
with SIGKILL - leaves a consistent store that the next crawl completes."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import REPO, RecordingHandler, crawl_into, query, write_sources
from crawler.crawl import crawl_lock

POSTINGS = 60
# CONCURRENT_REQUESTS too: a polite stop lets the requests already handed to the downloader finish,
# and Scrapy hands it up to CONCURRENT_REQUESTS at once, which would be the whole of a small site.
UNTHROTTLED = [
    "--set", "JOBATLAS_BATCH_SIZE=5", "--set", "CONCURRENT_REQUESTS=2", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
    "--set", "AUTOTHROTTLE_ENABLED=false",
]


class SlowBigSite(RecordingHandler):
    """A listing of 60 postings, each page a little slow, so a crawl can be stopped midway."""

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        if self.path == "/jobs/":
            links = "".join(f'<a href="/jobs/{n}.html">Job {n}</a>' for n in range(POSTINGS))
            self.send_body(200, f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")
        elif self.path.startswith("/jobs/") and self.path.endswith(".html"):
            time.sleep(0.05)
            number = self.path.removeprefix("/jobs/").removesuffix(".html")
            data = {"@type": "JobPosting", "title": f"Welder {number}", "description": "<p>Weld steel frames for ships in our yard.</p>",
                    "jobLocation": {"address": {"addressLocality": "Gdańsk", "addressCountry": "PL"}}}
            page = f'<html><script type="application/ld+json">{json.dumps(data)}</script></html>'
            self.send_body(200, page.encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"", "text/html")


def start_crawl(tmp_path, origin) -> tuple[subprocess.Popen, str]:
    db = str(tmp_path / "jobs.db")
    sources = write_sources(tmp_path / "sources.yml", [{"name": "yard", "url": origin + "/jobs/"}])
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--db", db, "--quiet", *UNTHROTTLED],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    return process, db


def wait_for_postings(db: str, at_least: int, process: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the crawl ended before it could be stopped"
        try:
            with sqlite3.connect(db, timeout=1) as connection:
                count = connection.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is not there yet
            count = 0
        if count >= at_least:
            return count
        time.sleep(0.05)
    pytest.fail("the crawl stored nothing in time")


def integrity(db: str) -> str:
    with sqlite3.connect(db) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def test_a_second_crawl_on_the_same_store_is_refused(tmp_path, site_server):
    db = tmp_path / "jobs.db"
    with site_server() as (origin, requests), crawl_lock(db):
        result, _ = crawl_into(tmp_path, [{"name": "any", "url": origin + "/jobs/"}])
    assert result.returncode == 75
    assert f"another jobatlas crawl (pid {os.getpid()}) is writing to {db}" in result.stderr
    assert requests == []


@pytest.mark.parametrize("stop_after", [5, 25, "random"])  # the last: a new point each run
def test_sigkill_mid_crawl_leaves_a_consistent_store_and_the_next_run_completes(tmp_path, site_server, stop_after):
    if stop_after == "random":  # drawn here, not at collection: parallel test workers must collect the same ids
        stop_after = random.randint(1, POSTINGS - 10)
        print(f"killed after {stop_after} postings")
    handler = type("Slow", (SlowBigSite,), {"requests": []})
    with site_server(handler=handler) as (origin, _):
        process, db = start_crawl(tmp_path, origin)
        stored = wait_for_postings(db, stop_after, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

        assert integrity(db) == "ok"
        after_kill = query(db, "SELECT COUNT(*) AS n FROM jobs")[0]["n"]
        assert stored <= after_kill < POSTINGS  # every committed batch is still there
        assert query(db, "SELECT status FROM crawl_runs") == [{"status": "running"}]

        result, _ = crawl_into(tmp_path, [{"name": "yard", "url": origin + "/jobs/"}], *UNTHROTTLED)
    assert result.returncode == 0, result.stderr
    assert integrity(db) == "ok"
    assert query(db, "SELECT COUNT(*) AS n FROM jobs")[0]["n"] == POSTINGS
    assert [run["status"] for run in query(db, "SELECT status FROM crawl_runs ORDER BY id")] == ["interrupted", "complete"]


def test_sigterm_flushes_what_was_read_and_the_next_run_resumes(tmp_path, site_server):
    handler = type("Slow", (SlowBigSite,), {"requests": []})
    with site_server(handler=handler) as (origin, requests):
        process, db = start_crawl(tmp_path, origin)
        wait_for_postings(db, 5, process)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert process.returncode == 143  # as shells report a process SIGTERM ended
        assert "Stopped by SIGTERM" in process.stderr.read()
        stopped = query(db, "SELECT * FROM crawl_runs")[0]
        assert stopped["status"] == "partial" and stopped["finished_at"]
        stored = query(db, "SELECT COUNT(*) AS n FROM jobs")[0]["n"]
        assert stored == stopped["postings_seen"]  # everything read was written, the buffer included
        assert stored < POSTINGS
        fetched_before = {path for path in requests if path.endswith(".html")}

        requests.clear()
        result, _ = crawl_into(tmp_path, [{"name": "yard", "url": origin + "/jobs/"}], *UNTHROTTLED)
    assert result.returncode == 0, result.stderr
    fetched_after = {path for path in requests if path.endswith(".html")}
    assert fetched_after and not fetched_after & fetched_before  # resumed, not started over
    resumed = query(db, "SELECT * FROM crawl_runs ORDER BY id")[1]
    assert resumed["status"] == "complete" and resumed["postings_closed"] == 0
    assert "resumed" in json.loads(resumed["problems"]) and "resumed 1" in result.stdout
    assert query(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'open'")[0]["n"] == POSTINGS
    assert not (tmp_path / "jobs.db.state" / "yard").exists()  # a finished run leaves no state


class SiteWithOneSlowPage(RecordingHandler):
    """Four quick postings and a fifth that takes two seconds: stopped while that one loads, the
    source has read everything by the time it stops, and has nothing left to resume."""

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/dock/":
            links = "".join(f'<a href="/dock/jobs/{n}.html">Job {n}</a>' for n in range(5))
            self.send_body(200, f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")
        elif self.path.startswith("/dock/jobs/"):
            number = self.path.removeprefix("/dock/jobs/").removesuffix(".html")
            if number == "4":
                time.sleep(2)
            data = {"@type": "JobPosting", "title": f"Crane operator {number}", "description": "<p>Move containers.</p>",
                    "jobLocation": {"address": {"addressLocality": "Rotterdam", "addressCountry": "NL"}}}
            page = f'<html><script type="application/ld+json">{json.dumps(data)}</script></html>'
            self.send_body(200, page.encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"", "text/html")


def test_ctrl_c_exits_130_and_a_source_with_nothing_left_resumes_as_complete(tmp_path, site_server):
    with site_server(handler=SiteWithOneSlowPage) as (origin, _):
        entries = [{"name": "dock", "url": origin + "/dock/"}]
        sources, db = write_sources(tmp_path / "sources.yml", entries), str(tmp_path / "jobs.db")
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--db", db, "--quiet",
             "--workers", "1", "--set", "JOBATLAS_BATCH_SIZE=1", "--set", "AUTOTHROTTLE_ENABLED=false"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        wait_for_postings(db, 4, process)
        process.send_signal(signal.SIGINT)
        output, errors = process.communicate(timeout=30)
        assert process.returncode == 130, output + errors
        assert "Stopped by SIGINT" in errors

        result, _ = crawl_into(tmp_path, entries, "--workers", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    stopped, resumed = query(db, "SELECT * FROM crawl_runs ORDER BY id")
    assert stopped["status"] == "partial"
    # Not "failed" with a bogus empty_listing: the run it resumed had read every posting.
    assert resumed["status"] == "complete", resumed
    assert json.loads(resumed["problems"]) == {"resumed": 1}
    assert query(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'open'")[0]["n"] == 5
