"""What a new user trips over (issue 14): every case here told the user something false, or
touched a file it should not, before it was fixed. Each runs the real `jobatlas` command."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3

import pytest
from conftest import query, run_cli, write_sources

from pipelines.store import Store


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


# -- the --db file -----------------------------------------------------------------------------


def unrelated_database(path) -> bytes:
    """Another application's SQLite file; returns its bytes, to prove nothing was written."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        connection.execute("INSERT INTO invoices (amount) VALUES (12.5)")
        connection.commit()
    return path.read_bytes()


@pytest.mark.parametrize("command", [["countries", "--lang", "fr"], ["languages"], ["runs"]])
def test_a_query_on_a_file_that_is_not_a_database_is_a_clear_error(tmp_path, command):
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list: bread, cheese, olives\n" * 200)
    result = run_cli(*command, "--db", str(notes))
    assert result.returncode == 2
    assert f"{notes} is not a SQLite database" in result.stderr and "Traceback" not in result.stderr
    assert notes.read_text().startswith("shopping list")


@pytest.mark.parametrize("command", [["countries", "--lang", "fr"], ["crawl"]])
def test_a_database_that_is_not_a_jobatlas_store_is_refused_untouched(tmp_path, command):
    other = tmp_path / "accounts.db"
    before = unrelated_database(other)
    sources = write_sources(tmp_path / "sources.yml", [{"name": "any", "url": f"http://127.0.0.1:{closed_port()}/"}])
    extra = ["--sources", str(sources)] if command == ["crawl"] else []
    result = run_cli(*command, *extra, "--db", str(other))
    assert result.returncode == 2
    assert "not a jobatlas store (its tables: invoices)" in result.stderr
    assert other.read_bytes() == before
    assert not (tmp_path / "accounts.db.lock").exists()


def test_demo_never_replaces_a_store_that_is_not_the_demos(tmp_path):
    crawl_store = tmp_path / "jobs.db"
    Store(crawl_store).save_source("acme", "https://careers.acme.example/", "careers_site", None, None)
    before = crawl_store.read_bytes()
    result = run_cli("demo", "--db", str(crawl_store))
    assert result.returncode == 2
    assert "holds a crawl store, not the demo's" in result.stderr
    assert crawl_store.read_bytes() == before
    other = tmp_path / "accounts.db"
    before = unrelated_database(other)
    assert run_cli("demo", "--db", str(other)).returncode == 2
    assert other.read_bytes() == before


# -- --set -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("DOWNLOAD_TIMEOUT=abc", "--set DOWNLOAD_TIMEOUT=abc: expected a number"),
        ("AUTOTHROTTLE_ENABLED=maybe", "expected true or false"),
        ("JOBATLAS_ENDPOINTS=[1, 2]", "expected a JSON object"),
        ("DOWNLOAD_TIMOUT=10", "no such Scrapy or jobatlas setting; did you mean DOWNLOAD_TIMEOUT"),
        ("DOWNLOAD_TIMEOUT", "--set expects SETTING=VALUE"),
    ],
)
def test_a_bad_set_is_refused_before_any_request(tmp_path, site_server, setting, message):
    with site_server() as (origin, requests):
        result, db = crawl(tmp_path, [{"name": "any", "url": origin + "/jobs/"}], "--set", setting)
    assert result.returncode == 2
    assert message in result.stderr
    assert requests == [] and not db.exists()


def test_set_values_take_the_type_of_the_settings_default():
    from crawler.crawl import parse_overrides

    assert parse_overrides(["DOWNLOAD_TIMEOUT=10", "DOWNLOAD_DELAY=0.5", "AUTOTHROTTLE_ENABLED=false",
                            'JOBATLAS_ENDPOINTS={"https://a": "http://127.0.0.1:1/a"}', "LOG_LEVEL=INFO"]) == {
        "DOWNLOAD_TIMEOUT": 10, "DOWNLOAD_DELAY": 0.5, "AUTOTHROTTLE_ENABLED": False,
        "JOBATLAS_ENDPOINTS": {"https://a": "http://127.0.0.1:1/a"}, "LOG_LEVEL": "INFO",
    }


# -- inputs ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """A store with one French posting in Switzerland and one crawl run."""
    from crawler.items import JobPosting

    db = tmp_path_factory.mktemp("inputs") / "jobs.db"
    store = Store(db)
    store.save_source("atelier", "https://atelier.example/emplois/", "careers_site", None, None)
    posting = JobPosting(source="atelier", key="https://atelier.example/emplois/1", url="https://atelier.example/emplois/1",
                         title="Horloger", language="fr", resolved_locations=[{"country_code": "CH", "city": "Genève"}])
    store.save_postings([posting])
    store.finish_run(store.start_run("atelier"), status="complete", problems={"no_job_markup": 1})
    store.close()
    return db


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["countries", "--lang", "xx"], "unknown language 'xx'"),
        (["countries", "--lang", "frnech"], "did you mean fr (French)?"),
        (["languages", "--country", "ZZ"], "unknown country 'ZZ'"),
        (["languages", "--country", "Swizterland"], "did you mean CH (Switzerland)"),
        (["runs", "--limit", "0"], "0 is not in the range x>=1"),
        (["runs", "--limit", "-1"], "-1 is not in the range x>=1"),
        (["runs", "--source", "nope"], "no source named 'nope' in"),
    ],
)
def test_bad_values_are_usage_errors_with_a_hint(small_store, args, message):
    result = run_cli(*args, "--db", str(small_store))
    assert result.returncode == 2
    assert message in result.stderr
    assert "no open postings" not in result.stdout


@pytest.mark.parametrize(("args", "first_row"), [
    (["countries", "--lang", "français"], {"country_code": "CH", "country": "Switzerland", "jobs": 1}),
    (["countries", "--lang", "French"], {"country_code": "CH", "country": "Switzerland", "jobs": 1}),
    (["languages", "--country", "Switzerland"], {"language_code": "fr", "language": "French", "jobs": 1}),
    (["languages", "--country", "Schweiz"], {"language_code": "fr", "language": "French", "jobs": 1}),
])
def test_languages_and_countries_by_name(small_store, args, first_row):
    result = run_cli(*args, "--db", str(small_store), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [first_row]


def test_runs_as_json_give_problems_as_an_object(small_store):
    result = run_cli("runs", "--db", str(small_store), "--format", "json")
    assert json.loads(result.stdout)[0]["problems"] == {"no_job_markup": 1}


@pytest.mark.parametrize("bad", ["ftp://files.example.org/jobs", "notaurl", ""])
def test_sources_detect_refuses_what_is_not_an_http_url(bad):
    result = run_cli("sources", "detect", "--no-fetch", "https://boards.greenhouse.io/acme", bad)
    assert result.returncode == 2
    assert f"{bad!r} is not an http(s) URL" in result.stderr
    assert result.stdout == ""  # nothing half-printed: scripts read one line per URL


def test_serve_on_a_port_in_use_says_so_before_claiming_to_serve(small_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--db", str(small_store), "--port", str(port), timeout=60)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Browsing" not in result.stdout


def test_a_crawler_that_cannot_start_fails_its_source_with_the_cause(tmp_path, site_server):
    """Every source gets its crawl_runs row and a line saying why, even when its crawler never ran."""
    with site_server() as (origin, requests):
        entries = [{"name": "first", "url": f"{origin}/a/"}, {"name": "second", "url": f"{origin}/b/"}]
        result, db = crawl(tmp_path, entries, "--workers", "1", "--set", 'ITEM_PIPELINES={"nowhere.Pipeline": 100}')
    assert result.returncode == 1
    assert requests == []
    runs = query(db, "SELECT source, status, problems FROM crawl_runs ORDER BY source")
    assert [(run["source"], run["status"], json.loads(run["problems"])) for run in runs] == [
        ("first", "failed", {"crawler_error": 1}), ("second", "failed", {"crawler_error": 1}),
    ]
    assert "first failed: crawler_error:" in result.stderr and "nowhere" in result.stderr
