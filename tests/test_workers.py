"""Crawling with several worker processes: sources shared out between them, a large careers site
split into parts; the same rows as one process, one run per source, and a lifecycle that still
closes only on a complete run of the whole site."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import time
from pathlib import Path

from conftest import RecordingHandler, crawl_into, query, run_cli, write_sources

from crawler.crawl import SHARD_MIN_PAGES, Assignment, Plan, share_out
from crawler.demo import demo_sites
from crawler.items import JobPosting
from crawler.sites import SiteHandler, serve_site
from crawler.sources import Source
from pipelines.clock import utc_now
from pipelines.store import CrawlerEnd, Store, finish_run

SITE = Source(name="site", url="https://example.com/careers/")
OTHER_SITE = Source(name="other", url="https://example.org/jobs/")
BOARD = Source(name="board", url="https://boards.greenhouse.io/acme")


def parts_of(plan: Plan, name: str) -> list[tuple[int, int]]:
    return [(a.part, a.parts) for a in plan.assignments if a.source.name == name]


def test_one_worker_crawls_everything_whole():
    plan = share_out([SITE, BOARD], 1, {"site": 10_000})
    assert plan == Plan([[]], [Assignment(SITE), Assignment(BOARD)]) and plan.workers == 1


def test_a_large_careers_site_is_split_between_all_workers_and_boards_stay_whole():
    plan = share_out([SITE, OTHER_SITE, BOARD], 2, {"site": SHARD_MIN_PAGES, "other": 40, "board": 3})
    assert plan.parts == [[Assignment(SITE, 0, 2)], [Assignment(SITE, 1, 2)]]
    assert parts_of(plan, "other") == [(0, 1)] and parts_of(plan, "board") == [(0, 1)]
    assert plan.workers == 2


def test_whole_sources_wait_in_one_pool_heaviest_first():
    sources = [Source(name=f"s{n}", url=f"https://s{n}.example.com/jobs/") for n in range(5)]
    plan = share_out(sources, 2, {"s0": 100, "s1": 300, "s2": 200, "s3": 90})
    # s4 was never crawled: it weighs what an unknown source is expected to, 50 pages.
    assert [a.source.name for a in plan.pool] == ["s1", "s2", "s0", "s3", "s4"]
    assert plan.parts == [[], []] and plan.workers == 2
    assert share_out(sources[:1], 4, {}).workers == 1  # no more processes than sources


def test_with_fewer_sources_than_workers_a_careers_site_read_before_is_split():
    plan = share_out([SITE], 3, {"site": 12})
    assert parts_of(plan, "site") == [(0, 3), (1, 3), (2, 3)] and plan.workers == 3
    assert share_out([BOARD], 3, {"board": 2}) == Plan([[], [], []], [Assignment(BOARD)])  # an ATS board cannot be split


def test_a_site_never_read_successfully_is_not_split():
    # Never crawled, or its last run fetched nothing (it did not answer): each part would fail alone.
    assert share_out([SITE], 3, {}).pool == [Assignment(SITE)]
    assert share_out([SITE], 3, {"site": 0}).pool == [Assignment(SITE)]


def _stored(db) -> dict[str, tuple]:
    rows = query(
        db,
        "SELECT jobs.url, jobs.language, group_concat(job_locations.country_code) AS countries FROM jobs"
        " LEFT JOIN job_locations ON job_locations.job_id = jobs.id GROUP BY jobs.id",
    )
    return {row["url"]: (row["language"], row["countries"]) for row in rows}


class WithValidators(SiteHandler):
    """Pages with an ETag: the crawl keeps them in its HTTP cache (a part's cache file is made
    when it keeps its first page)."""

    def end_headers(self) -> None:
        self.send_header("ETag", '"v1"')
        super().end_headers()


def test_demo_sites_split_between_workers_give_the_rows_of_one_process(tmp_path):
    """Every way the demo sites lead to postings - listings, next pages, sitemaps, hreflang
    versions linked only from a posting - survives the split."""
    with contextlib.ExitStack() as stack:
        entries = []
        for folder, site in demo_sites():
            origin = stack.enter_context(serve_site(folder, WithValidators))
            entries.append({"name": site["name"], "url": origin + site["start"], "company": site["company"]})
        sources = write_sources(tmp_path / "sources.yml", entries)
        alone = run_cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "one.db"), "--workers", "1")
        # Sites are split once they have been read: the second crawl, on a copy of the first's store.
        shutil.copy(tmp_path / "one.db", tmp_path / "six.db")
        # 5 sources, 6 workers: every site is split in 6 parts, each part in its own process.
        split = run_cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "six.db"), "--workers", "6")
    assert alone.returncode == 0 and split.returncode == 0, split.stderr
    # Each part keeps its own HTTP cache: proof that every site was crawled in 6 parts.
    assert len(list((tmp_path / "six.db.httpcache").glob("*.part-*-of-6.sqlite"))) == 5 * 6
    one, six = _stored(tmp_path / "one.db"), _stored(tmp_path / "six.db")
    assert len(one) >= 30 and six == one
    runs = query(tmp_path / "six.db", "SELECT source, status, postings_seen FROM crawl_runs WHERE id > 5 ORDER BY source")
    assert [run["source"] for run in runs] == sorted(entry["name"] for entry in entries)  # one run per site
    assert {run["status"] for run in runs} <= {"complete", "partial"}
    assert sum(run["postings_seen"] for run in runs) >= len(six)


class Listing(RecordingHandler):
    """A listing of `count` postings, all linked from /jobs/."""

    count = 40

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        if self.path == "/jobs/":
            links = "".join(f'<a href="/jobs/{n}.html">Job {n}</a>' for n in range(self.count))
            self.send_body(200, f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")
        elif self.path.startswith("/jobs/") and self.path.removeprefix("/jobs/").removesuffix(".html").isdigit():
            number = int(self.path.removeprefix("/jobs/").removesuffix(".html"))
            if number >= self.count:
                self.send_body(404, b"", "text/html")
                return
            data = {"@type": "JobPosting", "title": f"Baker {number}", "description": "<p>Bake bread before dawn in our shop.</p>",
                    "jobLocation": {"address": {"addressLocality": "Lyon", "addressCountry": "FR"}}}
            page = f'<html lang="en"><script type="application/ld+json">{json.dumps(data)}</script></html>'
            self.send_body(200, page.encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"", "text/html")


def test_each_posting_is_fetched_by_one_part_and_the_listing_by_every_part(tmp_path, site_server):
    handler = type("Bakery", (Listing,), {})
    with site_server(handler=handler) as (origin, requests):
        first, db = crawl_into(tmp_path, [{"name": "bakery", "url": origin + "/jobs/"}], "--workers", "2")
        assert requests.count("/jobs/") == 1  # never read before: crawled whole
        requests.clear()
        result, db = crawl_into(tmp_path, [{"name": "bakery", "url": origin + "/jobs/"}], "--workers", "2")
    assert first.returncode == 0 and result.returncode == 0, result.stderr
    postings = [path for path in requests if path.endswith(".html")]
    assert sorted(postings) == sorted(f"/jobs/{n}.html" for n in range(40))  # each once, none lost
    assert requests.count("/jobs/") == 2
    assert query(db, "SELECT COUNT(*) AS n FROM jobs")[0]["n"] == 40
    run = query(db, "SELECT status, pages, postings_seen, postings_unchanged FROM crawl_runs WHERE id = 2")
    # The listing, read by both parts, counts once.
    assert run == [{"status": "complete", "pages": 41, "postings_seen": 40, "postings_unchanged": 40}]


def test_a_split_run_closes_what_the_site_no_longer_lists(tmp_path, site_server):
    handler = type("Bakery", (Listing,), {})
    entries = [{"name": "bakery", "url": None}]
    with site_server(handler=handler) as (origin, _):
        entries[0]["url"] = origin + "/jobs/"
        first, db = crawl_into(tmp_path, entries, "--workers", "2")
        handler.count = 30
        time.sleep(1.1)  # the store keeps whole seconds: let each run have its own
        second, db = crawl_into(tmp_path, entries, "--workers", "2")
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "30 postings (0 new, 0 updated, 30 unchanged, 0 reopened), 10 closed" in second.stdout
    counts = query(db, "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status ORDER BY status")
    assert counts == [{"status": "closed", "n": 10}, {"status": "open", "n": 30}]


def _posting(number: int) -> JobPosting:
    return JobPosting(source="bakery", key=f"https://example.com/jobs/{number}", url=f"https://example.com/jobs/{number}",
                      title=f"Baker {number}")


def test_a_split_run_with_a_part_missing_closes_nothing(tmp_path):
    """A worker killed mid-crawl reports nothing: its part may have listed anything."""
    store = Store(tmp_path / "jobs.db")
    store.save_postings([_posting(n) for n in range(4)], seen_at="2026-01-01T00:00:00Z")
    since = utc_now()
    run_id = store.start_run("bakery", since)
    store.save_postings([_posting(0)])
    seen = {"jobatlas/pages": 3, "jobatlas/postings_unchanged": 1}
    stats = finish_run(store, "bakery", "https://example.com/jobs/", run_id, since, 4,
                       [CrawlerEnd(seen, "finished"), CrawlerEnd({}, "killed")])
    assert stats["jobatlas/run_status"] == "partial"
    assert query(tmp_path / "jobs.db", "SELECT COUNT(*) AS n FROM jobs WHERE status = 'open'")[0]["n"] == 4
    run_id = store.start_run("bakery", since)
    stats = finish_run(store, "bakery", "https://example.com/jobs/", run_id, since, 4,
                       [CrawlerEnd(seen, "finished"), CrawlerEnd({"jobatlas/pages": 2}, "finished")])
    assert stats["jobatlas/run_status"] == "complete" and stats["jobatlas/postings_closed"] == 3
    store.close()


SITE_NAMES = [f"s{n}" for n in range(5)]


class SlowSites(RecordingHandler):
    """Five careers sites on one server (/s0/ ... /s4/), each answer a little slow; remembers the
    most sites that had a request in flight at the same moment."""

    in_flight: dict[str, int]
    most_at_once: list[int]  # one number, shared with the test through the handler classes serve_site derives
    guard = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802
        site = self.path.strip("/").split("/")[0]
        if site not in SITE_NAMES:  # robots.txt, sitemap.xml
            self.send_body(404, b"", "text/plain")
            return
        with self.guard:
            self.in_flight[site] = self.in_flight.get(site, 0) + 1
            self.most_at_once[0] = max(self.most_at_once[0], sum(1 for n in self.in_flight.values() if n))
        try:
            time.sleep(self.delay(site))
            if self.path == f"/{site}/":
                links = "".join(f'<a href="/{site}/jobs/{n}.html">Job {n}</a>' for n in range(3))
                self.send_body(200, f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")
            else:
                data = {"@type": "JobPosting", "title": f"Baker {site} {self.path[-6]}",
                        "description": "<p>Bake bread and pastries for our shops every morning.</p>",
                        "jobLocation": {"address": {"addressLocality": "Lyon", "addressCountry": "FR"}}}
                page = f'<html><script type="application/ld+json">{json.dumps(data)}</script></html>'
                self.send_body(200, page.encode(), "text/html; charset=utf-8")
        finally:
            with self.guard:
                self.in_flight[site] -= 1

    def delay(self, site: str) -> float:
        return 0.1


def crawl_sites(tmp_path, sites: type[SlowSites], workers: int, at_once: int) -> tuple[type[SlowSites], Path]:
    """The five sites crawled by `workers` processes, `at_once` sources at a time each: (the
    handler class, with what it saw; the store)."""
    handler = type("Sites", (sites,), {"requests": [], "in_flight": {}, "most_at_once": [0]})
    with serve_site(tmp_path, handler) as origin:
        entries = [{"name": name, "url": f"{origin}/{name}/"} for name in SITE_NAMES]
        result, db = crawl_into(
            tmp_path, entries, "--workers", str(workers), "--set", f"JOBATLAS_CONCURRENT_SOURCES={at_once}",
            "--set", "AUTOTHROTTLE_ENABLED=false",
        )
    assert result.returncode == 0, result.stderr
    return handler, db


def test_a_process_crawls_at_most_the_configured_number_of_sources_at_once(tmp_path):
    handler, db = crawl_sites(tmp_path, SlowSites, workers=1, at_once=2)
    assert handler.most_at_once == [2]  # two at a time: never more, and the limit is not one
    assert len(query(db, "SELECT id FROM jobs")) == 15
    assert {row["status"] for row in query(db, "SELECT status FROM crawl_runs")} == {"complete"}
    assert len(query(db, "SELECT id FROM crawl_runs")) == 5


class OneSlowSite(SlowSites):
    """s0 answers in 1.5 s, the four others at once."""

    def delay(self, site: str) -> float:
        return 1.5 if site == "s0" else 0.02


def test_a_worker_free_before_the_others_takes_the_next_source(tmp_path):
    """Two workers, one source at a time each: while one crawls the slow site, the other crawls
    all four quick ones (shared out in advance, two of them would have waited for the slow one)."""
    _, db = crawl_sites(tmp_path, OneSlowSite, workers=2, at_once=1)
    finished = {row["source"]: row["finished_at"] for row in query(db, "SELECT source, finished_at FROM crawl_runs")}
    assert sorted(finished) == SITE_NAMES
    assert all(finished[name] < finished["s0"] for name in SITE_NAMES[1:]), finished
    assert len(query(db, "SELECT id FROM jobs")) == 15


def test_a_stopped_run_is_resumed_in_the_parts_it_was_crawled_in():
    # Stopped while crawled whole (its first crawl): resumed whole, though it would now be split.
    assert share_out([SITE], 2, {"site": 40}, resuming={"site": 1}).pool == [Assignment(SITE)]
    # Stopped while split in two: resumed in two, though never read whole before.
    assert parts_of(share_out([SITE], 2, {}, resuming={"site": 2}), "site") == [(0, 2), (1, 2)]
