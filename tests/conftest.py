"""Shared fixtures: sites served on 127.0.0.1, and running the real `jobatlas` CLI."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from crawler.sites import SiteHandler, serve_site

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
REPO = TESTS.parent


class RecordingHandler(SiteHandler):
    """Serves a site and remembers every path asked for (to prove what was, or was not, fetched)."""

    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def site_server():
    """`with site_server(root) as (origin, requests):` serves `root` (default: an empty folder)."""

    @contextlib.contextmanager
    def start(root: Path | None = None, handler: type[SiteHandler] = RecordingHandler) -> Iterator[tuple[str, list[str]]]:
        requests: list[str] = []
        recording = type("Handler", (handler,), {"requests": requests})
        with serve_site(root or SITES / "empty", recording) as origin:
            yield origin, requests

    return start


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `jobatlas ARGS` in a fresh process, as a user or a scheduler would."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )


def write_sources(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


def countries_json(db: Path, lang: str) -> list[dict]:
    result = run_cli("countries", "--lang", lang, "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
