"""Faults a server can throw at the crawler, one site serving them all: each is counted in
crawl_runs with its URL and kind, the crawl goes on, stored rows stay as they were, and nothing
is closed because of it."""

from __future__ import annotations

import gzip
import json
import socket
import struct

import pytest

from conftest import RecordingHandler, crawl_into, last_run, query

GOOD = {
    "@context": "https://schema.org", "@type": "JobPosting", "title": "Kranführer (m/w/d)",
    "description": "<p>Sie bedienen unsere Containerkräne im Hafen und arbeiten im Schichtdienst mit einem festen Team.</p>",
    "jobLocation": {"address": {"addressLocality": "Bremerhaven", "addressCountry": "DE"}},
}
FAULTS = {  # path → the kind the crawl must count it as
    "/jobs/reset.html": "truncated",  # a connection reset mid-body leaves a body cut short
    "/jobs/truncated.html": "truncated",
    "/jobs/huge.html": "too_large",
    "/jobs/bomb.html": "too_large",
    "/jobs/loop.html": "too_many_redirects",
    "/jobs/commented.html": "bad_json_ld",
}


def page(body: str) -> bytes:
    return f"<html><body>{body}</body></html>".encode()


class FaultySite(RecordingHandler):
    faults_on = False

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        path = self.path.split("?")[0]
        if path == "/jobs/":
            links = ['<a href="/jobs/good.html">Good</a>', '<a href="/jobs/good.html?utm_source=newsletter">Good again</a>']
            links += [f'<a href="{fault}">Fault</a>' for fault in FAULTS] if self.faults_on else []
            self.send_body(200, page("".join(links)), "text/html; charset=utf-8")
        elif path == "/jobs/good.html":
            self.send_body(200, page(f'<script type="application/ld+json">{json.dumps(GOOD)}</script>'), "text/html; charset=utf-8")
        elif path == "/jobs/reset.html":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 500)
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN
            self.connection.close()
        elif path == "/jobs/truncated.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<html><body><h1>Cut short")
            self.close_connection = True
        elif path == "/jobs/huge.html":
            self.send_body(200, b"<html><body>" + b"<p>padding</p>" * (3 * 1024 * 1024 // 14) + b"</body></html>", "text/html")
        elif path == "/jobs/bomb.html":
            bomb = gzip.compress(b"\0" * (8 * 1024 * 1024), compresslevel=9)  # ~8 KB on the wire
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            self.wfile.write(bomb)
        elif path == "/jobs/loop.html":
            self.send_response(302)
            self.send_header("Location", "/jobs/loop.html?again=" + str(len(self.requests)))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/jobs/commented.html":
            block = '{"@type": "JobPosting", /* draft */ "title": "Kommentiert", // todo\n "description": "x"}'
            self.send_body(200, page(f'<script type="application/ld+json">{block}</script>'), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"", "text/html")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, site_server_module):
    tmp = tmp_path_factory.mktemp("faults")
    handler = type("Faulty", (FaultySite,), {"requests": []})
    # Limits lowered so the test moves little data: 2 MB stands for the default 16 MB.
    limits = ["--set", "DOWNLOAD_MAXSIZE=2097152", "--set", "DOWNLOAD_WARNSIZE=1048576", "--set", "RETRY_TIMES=0"]
    with site_server_module(handler=handler) as (origin, requests):
        entries = [{"name": "port", "url": origin + "/jobs/"}]
        first, db = crawl_into(tmp, entries, *limits)
        before = query(db, "SELECT * FROM jobs")
        handler.faults_on = True
        second, _ = crawl_into(tmp, entries, *limits)
    return {"origin": origin, "db": db, "first": first, "second": second, "before": before, "requests": requests}


def test_each_fault_is_counted_with_its_url_and_kind(crawled):
    assert crawled["second"].returncode == 0, crawled["second"].stderr
    run = last_run(crawled["db"], "port")
    for path, kind in FAULTS.items():
        assert {"kind": kind, "url": crawled["origin"] + path} in [
            {"kind": e["kind"], "url": e["url"].split("?")[0]} for e in run["problem_examples"]
        ], (path, kind, run["problems"])
    assert run["status"] == "partial"


def test_stored_rows_are_untouched_and_nothing_is_closed(crawled):
    assert query(crawled["db"], "SELECT * FROM jobs") == [
        {**row, "last_seen_at": query(crawled["db"], "SELECT last_seen_at FROM jobs")[0]["last_seen_at"]}
        for row in crawled["before"]
    ]
    assert query(crawled["db"], "SELECT status FROM jobs") == [{"status": "open"}]


def test_the_same_posting_linked_twice_is_one_row_fetched_once(crawled):
    assert len(crawled["before"]) == 1
    assert crawled["requests"].count("/jobs/good.html") == 2  # once per crawl
    assert not any("utm_source" in path for path in crawled["requests"])


def test_a_redirect_loop_stops(crawled):
    loops = [path for path in crawled["requests"] if path.startswith("/jobs/loop.html")]
    assert 1 < len(loops) <= 6  # REDIRECT_MAX_TIMES = 5
