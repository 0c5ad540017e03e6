"""The Scrapyd deployment the README describes: build and deploy the project with scrapyd-deploy,
schedule one source with schedule.json, and find its postings in the store."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from conftest import REPO, SITES, query, redis_server, run_cli, write_sources

pytest.importorskip("scrapyd")  # the test extra installs it; a user's plain install may not


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(url: str, form: list[tuple[str, str]] | None = None) -> dict:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    with urllib.request.urlopen(url, data=data, timeout=10) as answer:
        return json.loads(answer.read())


@pytest.fixture
def scrapyd(tmp_path):
    """A Scrapyd on 127.0.0.1 with its state in tmp_path; yields its URL."""
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home}/eggs\nlogs_dir = {home}/logs\ndbs_dir = {home}/dbs\nitems_dir =\n"
        "max_proc = 1\npoll_interval = 0.5\n"
    )
    server = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(f"{url}/daemonstatus.json")
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def deploy(scrapyd: str, tmp_path) -> list[str]:
    """Deploy this checkout to the Scrapyd at `scrapyd` as scrapyd-deploy does; the spiders it lists."""
    project = tmp_path / "project"  # scrapyd-deploy writes a setup.py: keep the checkout clean
    for part in ("crawler", "pipelines", "data", "pyproject.toml", "README.md"):
        source = REPO / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / part)
    (project / "scrapy.cfg").write_text(
        f"[settings]\ndefault = crawler.settings\n\n[deploy]\nurl = {scrapyd}/\nproject = jobatlas\n"
    )
    deployed = subprocess.run(["scrapyd-deploy", "--version", "r1"], cwd=project, capture_output=True, text=True, timeout=120)
    assert deployed.returncode == 0, deployed.stderr
    assert "jobatlas" in call(f"{scrapyd}/listprojects.json")["projects"]
    return call(f"{scrapyd}/listspiders.json?project=jobatlas").get("spiders", [])


def wait_for_job(scrapyd: str, job_id: str, seconds: float = 60) -> None:
    for _ in range(int(seconds * 10)):
        finished = call(f"{scrapyd}/listjobs.json?project=jobatlas")["finished"]
        if any(entry["id"] == job_id for entry in finished):
            return
        time.sleep(0.1)
    pytest.fail(f"the Scrapyd job did not finish in {seconds:g} s")


def test_deploy_and_schedule_a_source_on_scrapyd(scrapyd, tmp_path, site_server):
    spiders = deploy(scrapyd, tmp_path)
    assert "careers_site" in spiders and "worker" in spiders, spiders

    db = tmp_path / "jobs.db"
    with site_server(SITES / "faulty") as (origin, _):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "harbor", "url": origin + "/careers/"}])
        job = call(f"{scrapyd}/schedule.json", [
            ("project", "jobatlas"), ("spider", "careers_site"), ("source", "harbor"), ("sources", str(sources)),
            ("setting", f"JOBATLAS_DB={db}"), ("setting", "DOWNLOAD_TIMEOUT=2"), ("setting", "RETRY_TIMES=0"),
        ])
        assert job["status"] == "ok"
        wait_for_job(scrapyd, job["jobid"])

    run = query(db, "SELECT * FROM crawl_runs")[0]
    assert (run["source"], run["status"], run["postings_seen"]) == ("harbor", "partial", 2)
    titles = {row["title"] for row in query(db, "SELECT title FROM jobs")}
    assert titles == {"Planner wegtransport", "Disponent Fuhrpark (m/w/d)"}


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server here (apt-get install redis-server)")
def test_a_scrapyd_job_is_a_worker_of_a_crawl_through_redis(scrapyd, tmp_path, site_server):
    assert "worker" in deploy(scrapyd, tmp_path)
    db = tmp_path / "jobs.db"
    with redis_server() as url, site_server(SITES / "faulty") as (origin, _):
        sources = write_sources(tmp_path / "sources.yml", [{"name": "harbor", "url": origin + "/careers/"}])
        job = call(f"{scrapyd}/schedule.json", [
            ("project", "jobatlas"), ("spider", "worker"), ("redis", url), ("data", str(tmp_path / "worker")),
            ("setting", "DOWNLOAD_TIMEOUT=2"), ("setting", "RETRY_TIMES=0"),
        ])
        assert job["status"] == "ok"
        crawl = run_cli("crawl", "--sources", str(sources), "--db", str(db), "--redis", url, "--quiet", timeout=120)
        wait_for_job(scrapyd, job["jobid"])
    assert crawl.returncode == 0, crawl.stderr
    run = query(db, "SELECT * FROM crawl_runs")[0]
    assert (run["source"], run["status"], run["postings_seen"]) == ("harbor", "partial", 2)
    assert {row["title"] for row in query(db, "SELECT title FROM jobs")} == {"Planner wegtransport", "Disponent Fuhrpark (m/w/d)"}
