"""One crawl on several machines through Redis (crawler/distributed.py): a coordinator that alone
writes the store, and worker processes that crawl; against a real redis-server started here on
127.0.0.1, and the same sites and stores as the one-process tests."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, RecordingHandler, free_port, query, redis_server, run_cli, write_sources

from crawler.demo import demo_sites
from crawler.sites import serve_site

redis = pytest.importorskip("redis", reason="the redis client is not installed (pip install '.[test]')")
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server here (apt-get install redis-server)")

# Workers beat every second: one silent for 3 s is taken for dead.
FAST = ["--set", "JOBATLAS_REDIS_HEARTBEAT=1"]


@pytest.fixture
def redis_url():
    with redis_server() as url:
        yield url


def start_worker(url: str, data: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "worker", "--redis", url, "--data", str(data), "--once", *FAST, *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def start_coordinator(url: str, sources: Path, db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--db", str(db), "--redis", url, "--quiet",
         *FAST, *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    """Wait for a process; (its exit code, its stderr), the stderr shown beside a failing test."""
    _, stderr = process.communicate(timeout=timeout)
    sys.stderr.write(f"$ {' '.join(process.args[3:6])} ...\n{stderr}\n")
    return process.returncode, stderr


def crawled(stderr: str) -> int:
    """How many sources a worker said it crawled."""
    return int(stderr.rsplit("Crawled ", 1)[1].split()[0])


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def stored(db: Path) -> dict[str, tuple]:
    rows = query(
        db,
        "SELECT jobs.url, jobs.language, jobs.title, jobs.status, group_concat(job_locations.country_code) AS countries"
        " FROM jobs LEFT JOIN job_locations ON job_locations.job_id = jobs.id GROUP BY jobs.id",
    )
    return {row["url"]: (row["language"], row["title"], row["status"], row["countries"]) for row in rows}


def jobs_written(db: Path) -> int:
    """Postings in the store so far (0 before the coordinator has made it)."""
    try:
        return query(db, "SELECT COUNT(*) AS n FROM jobs")[0]["n"]
    except sqlite3.OperationalError:  # no file or no table yet
        return 0


class SlowListing(RecordingHandler):
    """A listing of 30 postings, each page a tenth of a second late."""

    count = 30
    delay = 0.1

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        path = self.path.split("?")[0]
        if path == "/jobs/":
            links = "".join(f'<a href="/jobs/{n}.html">Job {n}</a>' for n in range(self.count))
            self.send_body(200, f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")
        elif path.startswith("/jobs/") and path.endswith(".html"):
            time.sleep(self.delay)
            number = int(path.removeprefix("/jobs/").removesuffix(".html"))
            data = {"@type": "JobPosting", "title": f"Boulanger {number}", "datePosted": "2026-11-02",
                    "description": "<p>Vous préparez le pain et les viennoiseries chaque matin dans notre fournil.</p>",
                    "jobLocation": {"address": {"addressLocality": "Lyon", "addressCountry": "FR"}}}
            page = f'<html lang="fr"><script type="application/ld+json">{json.dumps(data)}</script></html>'
            self.send_body(200, page.encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"", "text/html")


# -- the same store as one process -------------------------------------------------------------


def test_a_coordinator_and_two_workers_store_what_one_process_stores(tmp_path, redis_url):
    with contextlib.ExitStack() as stack:
        entries = []
        for folder, site in demo_sites():
            origin = stack.enter_context(serve_site(folder))
            entries.append({"name": site["name"], "url": origin + site["start"], "company": site["company"]})
        sources = write_sources(tmp_path / "sources.yml", entries)
        alone = run_cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "one.db"), "--workers", "1", "--quiet")
        workers = [start_worker(redis_url, tmp_path / f"w{n}", "--set", "JOBATLAS_CONCURRENT_SOURCES=2") for n in range(2)]
        code, _ = finish(start_coordinator(redis_url, sources, tmp_path / "redis.db"))
        ends = [finish(worker) for worker in workers]
    assert alone.returncode == 0 and code == 0
    assert [worker_code for worker_code, _ in ends] == [0, 0]
    assert sum(crawled(stderr) for _, stderr in ends) == len(entries)
    one, distributed = stored(tmp_path / "one.db"), stored(tmp_path / "redis.db")
    assert len(one) >= 30 and distributed == one
    runs = query(tmp_path / "redis.db", "SELECT source, status, postings_seen, postings_new FROM crawl_runs ORDER BY source")
    assert [run["source"] for run in runs] == sorted(entry["name"] for entry in entries)
    assert {run["status"] for run in runs} == {"complete"}
    assert sum(run["postings_new"] for run in runs) == len(distributed)
    counted = query(tmp_path / "one.db", "SELECT * FROM country_languages ORDER BY language, country_code")
    assert query(tmp_path / "redis.db", "SELECT * FROM country_languages ORDER BY language, country_code") == counted


def test_a_worker_that_joins_during_the_crawl_takes_a_share(tmp_path, site_server, redis_url):
    handler = type("Slow", (SlowListing,), {"requests": [], "count": 8})
    with site_server(handler=handler) as (origin, _):
        entries = [{"name": f"bakery-{n}", "url": f"{origin}/jobs/?shop={n}"} for n in range(4)]
        sources = write_sources(tmp_path / "sources.yml", entries)
        one_at_a_time = ("--set", "JOBATLAS_CONCURRENT_SOURCES=1")
        first = start_worker(redis_url, tmp_path / "w1", *one_at_a_time)
        coordinator = start_coordinator(redis_url, sources, tmp_path / "jobs.db")
        client = redis.Redis.from_url(redis_url)
        wait_until(lambda: client.llen("jobatlas:todo") == 3)  # the first worker has taken one
        late = start_worker(redis_url, tmp_path / "w2", *one_at_a_time)
        code, _ = finish(coordinator)
        ends = [finish(first), finish(late)]
    assert code == 0
    assert crawled(ends[1][1]) >= 1 and crawled(ends[0][1]) + crawled(ends[1][1]) == 4
    assert {run["status"] for run in query(tmp_path / "jobs.db", "SELECT status FROM crawl_runs")} == {"complete"}


# -- faults ------------------------------------------------------------------------------------


@contextlib.contextmanager
def bakery_mid_crawl(tmp_path: Path, site_server, redis_url: str):
    """The bakery (a slow listing of 30) queued by a coordinator and taken by one worker, which
    has fetched five of its postings: yields (worker, coordinator)."""
    handler = type("Slow", (SlowListing,), {"requests": []})
    with site_server(handler=handler) as (origin, requests):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "bakery", "url": origin + "/jobs/"}])
        worker = start_worker(redis_url, tmp_path / "w1")
        coordinator = start_coordinator(redis_url, sources, tmp_path / "jobs.db")
        wait_until(lambda: sum(path.endswith(".html") for path in requests) >= 5)
        yield worker, coordinator


def test_a_killed_workers_source_is_crawled_again_by_another(tmp_path, site_server, redis_url):
    with bakery_mid_crawl(tmp_path, site_server, redis_url) as (doomed, coordinator):
        client = redis.Redis.from_url(redis_url)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        assert client.llen("jobatlas:todo") == 0  # what it held is not back yet: it may be alive
        survivor = start_worker(redis_url, tmp_path / "w2")
        code, _ = finish(coordinator)
        survivor_code, survivor_err = finish(survivor)
    assert code == 0 and survivor_code == 0 and crawled(survivor_err) == 1
    run = query(tmp_path / "jobs.db", "SELECT status, postings_seen FROM crawl_runs")
    assert run == [{"status": "complete", "postings_seen": 30}]
    assert query(tmp_path / "jobs.db", "SELECT COUNT(*) AS n FROM jobs WHERE status = 'open'") == [{"n": 30}]


def test_a_worker_stopped_with_sigterm_leaves_its_source_to_another(tmp_path, site_server, redis_url):
    with bakery_mid_crawl(tmp_path, site_server, redis_url) as (leaving, coordinator):
        leaving.send_signal(signal.SIGTERM)
        leaving_code, leaving_err = finish(leaving)
        staying = start_worker(redis_url, tmp_path / "w2")
        code, _ = finish(coordinator)
        staying_code, staying_err = finish(staying)
    assert leaving_code == 143 and "the sources it was crawling go to another worker" in leaving_err
    assert code == 0 and staying_code == 0 and crawled(staying_err) == 1
    assert query(tmp_path / "jobs.db", "SELECT status, postings_seen FROM crawl_runs") == [{"status": "complete", "postings_seen": 30}]


def test_a_source_that_loses_its_workers_closes_nothing(tmp_path, site_server, redis_url):
    handler = type("Slow", (SlowListing,), {"requests": []})
    with site_server(handler=handler) as (origin, requests):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "bakery", "url": origin + "/jobs/"}])
        db = tmp_path / "jobs.db"
        assert run_cli("crawl", "--sources", str(sources), "--db", str(db), "--workers", "1", "--quiet").returncode == 0
        requests.clear()
        # A site whose listing now shows five postings: a complete run would close the other 25.
        handler.count = 5
        handler.delay = 0.5
        doomed = start_worker(redis_url, tmp_path / "w1")
        coordinator = start_coordinator(redis_url, sources, db, "--set", "JOBATLAS_REDIS_ATTEMPTS=1")
        wait_until(lambda: any(path.endswith(".html") for path in requests))
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        code, stderr = finish(coordinator)
    assert code == 1 and "worker_lost" in stderr
    run = query(db, "SELECT status, problems FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["status"] == "failed" and json.loads(run["problems"]) == {"worker_lost": 1}
    assert query(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'open'") == [{"n": 30}]


def test_an_unreachable_redis_is_named_and_nothing_is_written(tmp_path, site_server):
    url = f"redis://127.0.0.1:{free_port()}/0"
    with site_server(handler=type("Slow", (SlowListing,), {"requests": []})) as (origin, requests):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "bakery", "url": origin + "/jobs/"}])
        crawl = run_cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "jobs.db"), "--redis", url)
        worker = run_cli("worker", "--redis", url, "--data", str(tmp_path / "w"), "--once")
    assert crawl.returncode == 1 and f"cannot reach Redis at {url}" in crawl.stderr
    assert worker.returncode == 1 and f"cannot reach Redis at {url}" in worker.stderr
    assert requests == [] and not (tmp_path / "jobs.db").exists()


def test_redis_lost_mid_crawl_keeps_what_was_written_and_the_next_crawl_goes_on(tmp_path, site_server):
    handler = type("Slow", (SlowListing,), {"requests": []})
    with site_server(handler=handler) as (origin, _):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "bakery", "url": origin + "/jobs/"}])
        db = tmp_path / "jobs.db"
        with redis_server() as url:
            worker = start_worker(url, tmp_path / "w1", "--set", "JOBATLAS_BATCH_SIZE=2")
            coordinator = start_coordinator(url, sources, db)
            wait_until(lambda: jobs_written(db) >= 4)
        code, stderr = finish(coordinator)  # the server is gone
        worker.kill()
        worker.communicate()
        assert code == 1 and f"lost Redis at {url}" in stderr
        assert query(db, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        assert query(db, "SELECT COUNT(*) AS n FROM jobs")[0]["n"] >= 4
        again = run_cli("crawl", "--sources", str(sources), "--db", str(db), "--workers", "1", "--quiet")
    assert again.returncode == 0, again.stderr
    assert [run["status"] for run in query(db, "SELECT status FROM crawl_runs ORDER BY id")] == ["interrupted", "complete"]
    assert query(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'open'") == [{"n": 30}]


def test_a_worker_of_another_version_is_refused(tmp_path, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set("jobatlas:coordinator", "elsewhere:1", ex=60)
    client.set("jobatlas:version", "jobatlas 0.0.1 (protocol 0)")
    result = run_cli("worker", "--redis", redis_url, "--data", str(tmp_path / "w"), "--once", "--wait", "5")
    assert result.returncode == 2
    assert f"the coordinator on Redis at {redis_url} runs jobatlas 0.0.1 (protocol 0)" in result.stderr
    assert client.smembers("jobatlas:workers") == set()  # it never joined


def test_a_second_coordinator_on_the_same_redis_is_refused(tmp_path, site_server, redis_url):
    with site_server(handler=type("Slow", (SlowListing,), {"requests": []})) as (origin, _):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "bakery", "url": origin + "/jobs/"}])
        first = start_coordinator(redis_url, sources, tmp_path / "first.db")  # no worker: it waits
        client = redis.Redis.from_url(redis_url)
        wait_until(lambda: client.exists("jobatlas:coordinator"))
        second = run_cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "second.db"), "--redis", redis_url)
        first.send_signal(signal.SIGTERM)
        finish(first)
    assert second.returncode == 75
    assert "another coordinator (" in second.stderr and f"is running a crawl on Redis at {redis_url}" in second.stderr
