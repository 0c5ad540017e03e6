"""A person's view: `jobatlas demo` builds the demo store and says how to browse it, `jobatlas
serve` serves it on 127.0.0.1, and headless Chromium (Debian's `chromium`) loads the pages, runs
their JavaScript and takes screenshots (saved in the test's tmp dir).

Chromium is started with no network but 127.0.0.1: map tiles fail at once instead of hanging."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from pipelines.store import JOB_COLUMNS
from parsel import Selector

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",  # no-sandbox: CI runs as root
    # Chromium's own calls home would be refused by a closed network, many at a time:
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # map tiles: fail at once, never hang
    "--window-size=1400,1400",
    "--virtual-time-budget=5000",  # lets scripts (map, chart) run before the DOM is taken
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("browser") / "demo.db"
    result = run_cli("demo", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return {"db": db, "stdout": result.stdout}


@pytest.fixture(scope="module")
def origin(demo):
    """`jobatlas serve` on the demo store, on a free port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = demo["db"].with_name("serve.log")
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "serve", "--db", str(demo["db"]), "--port", str(port), "--tiles", "offline"],
            cwd=REPO, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jobatlas serve exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"jobatlas serve did not answer on {url} within {timeout} s")


def browse(url: str, screenshot: Path, profile: Path) -> Selector:
    """Load url in headless Chromium; save a screenshot; the DOM after its scripts ran."""
    result = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={screenshot}", "--dump-dom", url],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return Selector(text=result.stdout)


def texts(page: Selector, css: str) -> list[str]:
    """The text of each node matching css, whitespace collapsed."""
    return [" ".join(node.xpath("string()").get().split()) for node in page.css(css)]


def test_demo_ends_by_telling_how_to_browse(demo):
    tail = demo["stdout"].rsplit("Browse it in Datasette:", 1)[1]
    assert f"jobatlas serve --db {demo['db']}" in tail
    assert "http://127.0.0.1:8001/" in tail


def test_jobs_table_shows_facets_with_names_and_rows(origin, tmp_path):
    page = browse(f"{origin}/jobs/jobs", tmp_path / "jobs.png", tmp_path / "profile")
    facets = {node.attrib["data-column"]: node for node in page.css(".facet-info")}
    assert set(facets) == {"language", "country", "company", "source", "workplace", "employment_type", "status"}
    assert "German" in texts(facets["language"], "li a")
    assert "Switzerland" in texts(facets["country"], "li a")
    assert len(page.css("table.rows-and-columns tbody tr")) == 30
    columns = len(JOB_COLUMNS)
    assert page.css("details.column-notes summary::text").get() == f"What the {columns} columns mean"  # folded by script


def test_countries_for_french_in_a_browser(origin, tmp_path):
    page = browse(f"{origin}/jobs/countries_for_language?lang=fr", tmp_path / "countries_for_language.png", tmp_path / "profile")
    assert page.css("h1::text").get() == "Countries with open job offers in a language"
    rows = [texts(row, "td") for row in page.css("table.rows-and-columns tbody tr")]
    assert rows == [["FR", "France", "2", "fr"], ["BE", "Belgium", "1", "fr"], ["CA", "Canada", "1", "fr"]]
    assert page.css("td.col-jobs a::attr(href)").get() == "/jobs/jobs?language=fr&_country=FR&status=open"


def test_map_shows_clusters_of_open_postings(origin, tmp_path):
    page = browse(f"{origin}/jobs/open_postings_by_city", tmp_path / "map.png", tmp_path / "profile")
    assert page.css(".leaflet-container")
    clusters = [int(n) for n in page.css(".marker-cluster span::text").getall()]
    markers = page.css(".leaflet-marker-icon:not(.marker-cluster)")
    assert clusters and sum(clusters) + len(markers) == len(page.css("table.rows-and-columns tbody tr"))
    # Offline, the world is drawn from the tiles served with the store, not a grey field.
    tiles = page.css("img.leaflet-tile-loaded::attr(src)").getall()
    assert tiles and all("/-/basemap/" in tile for tile in tiles)


def test_chart_of_postings_per_language_per_country_is_drawn(origin, tmp_path):
    page = browse(f"{origin}/-/dashboards/where-the-jobs-are", tmp_path / "dashboard.png", tmp_path / "profile")
    assert page.css("#chart-language-country canvas, #chart-language-country svg")
    assert page.css("#chart-open-postings p::text").get() == "30"


def test_chart_of_open_jobs_per_week_is_drawn(origin, tmp_path):
    page = browse(f"{origin}/-/dashboards/open-jobs-over-time?lang=de", tmp_path / "trend.png", tmp_path / "profile")
    assert page.css("#chart-trend canvas, #chart-trend svg")
    assert page.css("input#lang::attr(value)").get() == "de"
