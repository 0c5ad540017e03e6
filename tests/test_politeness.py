"""Politeness: Retry-After is honoured, the crawler names itself, and it stays on its hosts."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timezone

import pytest
from conftest import SITES, RecordingHandler, ats_fixture, crawl_into, last_run, query

from crawler.middlewares import HostGuardMiddleware, retry_after_seconds


def test_retry_after_values():
    now = datetime(2026, 10, 21, 7, 27, 30, tzinfo=timezone.utc)
    assert retry_after_seconds(b"3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2026 07:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


class BusyOnce(RecordingHandler):
    """The first request for each posting page is answered 429 with Retry-After: 1."""

    refused: dict[str, float]
    retry_after = "1"
    user_agents: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.user_agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/careers/jobs/dispatcher") and self.path not in self.refused:
            self.refused[self.path] = time.monotonic()
            self.requests.append(self.path)
            self.send_response(429)
            self.send_header("Retry-After", self.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/careers/jobs/dispatcher"):
            self.refused[self.path] = time.monotonic() - self.refused[self.path]
        super().do_GET()


def test_a_429_is_retried_after_the_delay_it_asks_for(site_server, tmp_path):
    handler = type("Busy", (BusyOnce,), {"refused": {}, "user_agents": []})
    with site_server(SITES / "faulty", handler) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "harbor", "url": origin + "/careers/"}], "--set", "DOWNLOAD_TIMEOUT=1")
    assert result.returncode == 0, result.stderr
    waited = handler.refused["/careers/jobs/dispatcher-rotterdam.html"]
    assert waited >= 1.0  # the retry came no sooner than Retry-After said
    assert requests.count("/careers/jobs/dispatcher-rotterdam.html") == 2
    assert [row["title"] for row in query(db, "SELECT title FROM jobs WHERE title = 'Planner wegtransport'")]
    assert "http_429" not in last_run(db, "harbor")["problems"]
    assert all(agent.startswith("jobatlas/") and "+http" in agent for agent in handler.user_agents)


def test_a_429_asking_for_too_long_a_wait_is_reported_not_waited_for(site_server, tmp_path):
    handler = type("Busy", (BusyOnce,), {"refused": {}, "user_agents": [], "retry_after": "3600"})
    started = time.monotonic()
    with site_server(SITES / "faulty", handler) as (origin, _):
        result, db = crawl_into(tmp_path, [{"name": "harbor", "url": origin + "/careers/"}], "--set", "DOWNLOAD_TIMEOUT=1")
    assert time.monotonic() - started < 60
    assert last_run(db, "harbor")["problems"]["http_429"] == 1


def test_links_to_other_hosts_are_not_followed(site_server, tmp_path):
    with site_server() as (other_origin, other_requests):
        site = tmp_path / "site"
        (site / "careers").mkdir(parents=True)
        (site / "careers" / "index.html").write_text(
            f'<a href="{other_origin}/careers/jobs/1.html">elsewhere</a>'
            f'<link rel="alternate" hreflang="fr" href="{other_origin}/fr/carrieres/">'
        )
        with site_server(site) as (origin, _):
            crawl_into(tmp_path, [{"name": "home", "url": origin + "/careers/"}])
    assert other_requests == []


class RedirectingSite(RecordingHandler):
    """The faulty site, with one posting redirecting to `target` (another host)."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/careers/jobs/dispatcher-rotterdam.html":
            self.requests.append(self.path)
            self.send_response(302)
            self.send_header("Location", self.target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


def test_a_redirect_to_a_host_no_source_names_is_refused_and_counted(site_server, tmp_path):
    with site_server() as (other_origin, other_requests):
        handler = type("Redirecting", (RedirectingSite,), {"requests": [], "target": f"{other_origin}/latest/meta-data/"})
        with site_server(SITES / "faulty", handler) as (origin, _):
            result, db = crawl_into(tmp_path, [{"name": "harbor", "url": origin + "/careers/"}], "--set", "DOWNLOAD_TIMEOUT=1")
    assert other_requests == []  # not even its robots.txt
    run = last_run(db, "harbor")
    assert run["problems"]["offsite_refused"] == 1
    assert any(e["kind"] == "offsite_refused" and other_origin.split("//")[1] in e["detail"] for e in run["problem_examples"])


@pytest.mark.parametrize(
    "host, public",
    [("169.254.169.254", False), ("10.1.2.3", False), ("192.168.0.1", False), ("127.0.0.1", False),
     ("::1", False), ("224.0.0.1", False), ("localhost", False), ("93.184.216.34", True), ("2606:4700::1111", True)],
)
def test_api_hosts_must_resolve_to_public_addresses(host, public):
    if host == "localhost":  # resolving needs the reactor; the system resolver answers from /etc/hosts
        import socket

        host = socket.gethostbyname("localhost")
    assert asyncio.run(HostGuardMiddleware(crawler=None)._public_only(host)) is public


def test_the_contact_url_setting_names_the_crawler_operator():
    from crawler.crawl import project_settings

    agent = project_settings("jobs.db", {"JOBATLAS_CONTACT_URL": "https://example.org/our-crawler"})["USER_AGENT"]
    assert agent == "jobatlas/0.1 (+https://example.org/our-crawler)"


def test_sources_on_one_host_share_its_allowance_and_its_robots_txt(api_server, tmp_path):
    """Twelve boards on one API host, crawled by two workers side by side: the host never has
    more requests in flight than the per-host allowance, and its robots.txt is fetched once per
    worker, not once per board."""
    lock, in_flight, most = threading.Lock(), [0], [0]
    board = ats_fixture("greenhouse", "board.json")

    def slowly(reply):
        def answer(request):
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            time.sleep(0.2)
            with lock:
                in_flight[0] -= 1
            return reply

        return answer

    names = [f"board{number}" for number in range(12)]
    routes = {f"GET /v1/boards/{name}/jobs": slowly((200, board)) for name in names}
    routes["GET /robots.txt"] = slowly((200, "User-agent: *\nDisallow:\n"))
    with api_server(routes) as (origin, requests):
        sources = [
            {"name": name, "url": f"https://boards.greenhouse.io/{name}", "endpoint": f"{origin}/v1/boards/{name}/jobs?content=true"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, sources, "--workers", "2", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                                "--set", "AUTOTHROTTLE_ENABLED=false", "--set", "DOWNLOAD_TIMEOUT=20")
    assert result.returncode == 0, result.stderr
    assert most[0] == 2  # kept busy up to the allowance, never above it
    assert 1 <= sum(request.path == "/robots.txt" for request in requests) <= 2
    assert all(last_run(db, name)["status"] == "complete" for name in names)
    assert query(db, "SELECT COUNT(*) AS n FROM jobs")[0]["n"] == 12 * len(board["jobs"])
    # Answers without ETag or Last-Modified are not kept: no board made an HTTP cache file.
    assert not list((tmp_path / "jobs.db.httpcache").glob("*.sqlite"))
