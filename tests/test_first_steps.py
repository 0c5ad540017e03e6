"""What a new user trips over (issue 14): every case here told the user something false, or
touched a file it should not, before it was fixed. Each runs the real `jobatlas` command."""

from __future__ import annotations

import socket

import pytest
from conftest import query, run_cli, write_sources


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def crawl(tmp_path, entries: list[dict], *args: str):
    """`jobatlas crawl ARGS` on these sources into tmp_path/jobs.db; (result, db)."""
    db = tmp_path / "jobs.db"
    sources = write_sources(tmp_path / "sources.yml", entries)
    return run_cli("crawl", "--sources", str(sources), "--db", str(db), "--set", "RETRY_TIMES=1", *args), db


@pytest.mark.parametrize("quiet", [["-q"], []])
def test_an_unreachable_site_is_one_clear_line_not_a_flood(tmp_path, quiet):
    url = f"http://127.0.0.1:{closed_port()}/"
    result, db = crawl(tmp_path, [{"name": "nowhere", "url": url}], "--workers", "2", *quiet)
    assert result.returncode == 1
    assert f"nowhere failed: connection: {url}" in result.stderr
    assert "Traceback" not in result.stderr and "Gave up retrying" not in result.stderr
    assert len(result.stderr.splitlines()) <= 5, result.stderr
    assert "empty_listing" not in result.stdout and "no_postings_found" not in result.stdout
    # Never read successfully, so not split between the two workers: one part, one run.
    assert "part-" not in result.stderr
    assert query(db, "SELECT status, problems FROM crawl_runs") == [{"status": "failed", "problems": '{"connection": 1}'}]


def test_verbose_shows_scrapys_own_account_of_the_failure(tmp_path):
    result, _ = crawl(tmp_path, [{"name": "nowhere", "url": f"http://127.0.0.1:{closed_port()}/"}], "-v")
    assert result.returncode == 1
    assert "Gave up retrying" in result.stderr
