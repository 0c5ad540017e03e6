"""Shared fixtures: sites served on 127.0.0.1, and running the real `jobatlas` CLI."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from crawler.sites import SiteHandler, serve_site
from pipelines.clock import set_clock

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
REPO = TESTS.parent

# The tests' own "now", running on from this instant, in this process and every jobatlas process
# they start: fixture dates (postings' validThrough, ATS end dates) are written relative to it,
# so they never expire on a later day. No test reads the system's clock.
TEST_NOW = "2026-11-20T12:00:00+00:00"
set_clock(TEST_NOW)


class RecordingHandler(SiteHandler):
    """Serves a site and remembers every path asked for (to prove what was, or was not, fetched)."""

    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        super().do_GET()


def _site_server():

    @contextlib.contextmanager
    def start(root: Path | None = None, handler: type[SiteHandler] = RecordingHandler) -> Iterator[tuple[str, list[str]]]:
        requests: list[str] = []
        recording = type("Handler", (handler,), {"requests": requests})
        with serve_site(root or SITES / "empty", recording) as origin:
            yield origin, requests

    return start


@pytest.fixture
def site_server():
    """`with site_server(root) as (origin, requests):` serves `root` (default: an empty folder)."""
    return _site_server()


@pytest.fixture(scope="module")
def site_server_module():
    """`site_server` for module-scoped fixtures."""
    return _site_server()


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `jobatlas ARGS` in a fresh process, as a user or a scheduler would."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )
    # Shown by pytest beside a failing test: the crawl's own account of what went wrong.
    if result.stderr:
        sys.stderr.write(f"$ jobatlas {' '.join(args)}\n{result.stderr}\n")
    return result


def write_sources(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


def countries_json(db: Path, lang: str) -> list[dict]:
    result = run_cli("countries", "--lang", lang, "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- ATS-shaped endpoints ----------------------------------------------------------------------


def ats_fixture(kind: str, name: str) -> Any:
    """The parsed JSON of tests/sites/ats/<kind>/<name>: an ATS answer the tests serve or map."""
    return json.loads((SITES / "ats" / kind / name).read_text(encoding="utf-8"))


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # by lower-cased name

    def json(self) -> Any:
        return json.loads(self.body or b"null")


# A route answers (status, body) or (status, body, headers); a dict or list body is sent as JSON.
Reply = tuple
Route = Callable[[ApiRequest], Reply] | Reply


class RoutesHandler(BaseHTTPRequestHandler):
    """Answers "METHOD /path" from a table of routes (query strings go to the route function)."""

    routes: dict[str, Route]
    requests: list[ApiRequest]

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = ApiRequest(method, parts.path, parse_qs(parts.query), body, {k.lower(): v for k, v in self.headers.items()})
        self.requests.append(request)
        route = self.routes.get(f"{method} {parts.path}")
        reply = route(request) if callable(route) else route or (404, {"error": "Not found"})
        status, body, headers = (*reply, {})[:3]
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        # One answer per connection: say so, or the client reuses it and a POST sent on it fails.
        for name, value in {"Content-Type": "text/plain; charset=utf-8", "Connection": "close", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def api_server():
    """`with api_server(routes) as (origin, requests):` serves ATS-shaped endpoints on 127.0.0.1."""

    @contextlib.contextmanager
    def start(routes: dict[str, Route]) -> Iterator[tuple[str, list[ApiRequest]]]:
        requests: list[ApiRequest] = []
        handler = type("Routes", (RoutesHandler,), {"routes": routes, "requests": requests})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", requests
        finally:
            server.shutdown()
            server.server_close()

    return start


def crawl_into(tmp_path: Path, entries: list[dict], *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Write a sources file, run `jobatlas crawl` on it into tmp_path/jobs.db; (result, db)."""
    db = tmp_path / "jobs.db"
    sources = write_sources(tmp_path / "sources.yml", entries)
    result = run_cli("crawl", "--sources", str(sources), "--db", str(db), "--quiet", *args)
    return result, db


def query(db: Path, sql: str, *params: Any) -> list[dict]:
    """Rows of a query on the store, as dicts."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params)]


def stored_postings(db: Path) -> dict[str, dict]:
    """Every stored posting by external_id (ATS) or URL, with its `locations` (list of dicts)."""
    postings = {}
    for row in query(db, "SELECT * FROM jobs ORDER BY id"):
        row["locations"] = query(db, "SELECT * FROM job_locations WHERE job_id = ? ORDER BY position", row["id"])
        postings[f"{row['external_id']}:{row['language']}" if row["ats"] != "careers_site" else row["url"]] = row
    return postings


def last_run(db: Path, source: str) -> dict:
    run = query(db, "SELECT * FROM crawl_runs WHERE source = ? ORDER BY id DESC LIMIT 1", source)[0]
    run["problems"] = json.loads(run["problems"] or "{}")
    run["problem_examples"] = json.loads(run["problem_examples"] or "[]")
    return run


# -- Redis -------------------------------------------------------------------------------------


def free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def redis_server(port: int | None = None) -> Iterator[str]:
    """A redis-server of its own on 127.0.0.1 (Debian's package), nothing kept on disk; yields its URL."""
    import redis

    port = port or free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
