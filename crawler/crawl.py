"""Run a crawl: one Scrapy crawler per source, all in one process, then a summary per source.

Scrapy's reactor can start once per process, so `crawl` runs once per process too (the CLI,
the demo); tests run the CLI in a subprocess, as users do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from scrapy import Spider, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from crawler.report import NOTES, problems_by_kind
from crawler.settings import user_agent
from crawler.sources import Source, board_url
from pipelines.store import Store

# One spider per source family: crawler/spiders/<kind>.py defines the class named here.
SPIDERS: dict[str, str] = {
    "careers_site": "crawler.spiders.careers_site.CareersSiteSpider",
    "greenhouse": "crawler.spiders.greenhouse.GreenhouseSpider",
    "lever": "crawler.spiders.lever.LeverSpider",
    "ashby": "crawler.spiders.ashby.AshbySpider",
    "workable": "crawler.spiders.workable.WorkableSpider",
    "smartrecruiters": "crawler.spiders.smartrecruiters.SmartRecruitersSpider",
    "recruitee": "crawler.spiders.recruitee.RecruiteeSpider",
    "personio": "crawler.spiders.personio.PersonioSpider",
    "teamtailor": "crawler.spiders.teamtailor.TeamtailorSpider",
    "workday": "crawler.spiders.workday.WorkdaySpider",
}


def spider_for(kind: str) -> type[Spider]:
    """The spider class for a source kind (the sources file admits only the kinds listed above)."""
    return load_object(SPIDERS[kind])


@dataclass
class SourceSummary:
    source: str
    status: str
    pages: int = 0
    postings: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0
    closed: int = 0
    problems: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> dict[str, int]:
        return {kind: count for kind, count in self.problems.items() if kind not in NOTES}


def project_settings(db_path: str | Path, overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("JOBATLAS_DB", str(db_path), priority="cmdline")
    settings.set("HTTPCACHE_DIR", str(Path(f"{db_path}.httpcache").resolve()), priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if "JOBATLAS_CONTACT_URL" in (overrides or {}) and "USER_AGENT" not in overrides:
        settings.set("USER_AGENT", user_agent(settings["JOBATLAS_CONTACT_URL"]), priority="cmdline")
    return settings


def crawl(sources: list[Source], db_path: str | Path, overrides: dict[str, Any] | None = None) -> list[SourceSummary]:
    """Crawl the sources into the store at `db_path`; returns what happened to each source.

    A careers site that embeds or links an ATS board gets that board crawled too, as the source
    `<name>.<kind>`, once the site's own crawl is over (unless a source already names the board).

    Raises CrawlLocked when another crawl is writing to the same store."""
    with crawl_lock(db_path):
        store = Store(db_path)  # create or migrate the schema once, before crawlers open it side by side
        store.mark_interrupted_runs()
        store.close()
        run = _Run(CrawlerProcess(project_settings(db_path, overrides)), sources, db_path)
        for source in sources:
            run.schedule(source)
        if run.crawlers:
            run.process.start()
    return [_summary(name, crawler.stats.get_stats()) for name, crawler in run.crawlers.items()]


# Written in a source's JOBDIR when its run was stopped politely: the run's start, for the resume.
RESUME_NOTE = "jobatlas-resume"


class CrawlLocked(RuntimeError):
    """Another `jobatlas crawl` holds the store."""


@contextlib.contextmanager
def crawl_lock(db_path: str | Path) -> Iterator[None]:
    """One crawl per store at a time: a lock file beside the database, held for the whole crawl
    and released by the kernel if the process dies, so a killed crawl never blocks the next."""
    lock_path = Path(f"{db_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "another process"
            raise CrawlLocked(f"another jobatlas crawl ({holder}) is writing to {db_path}; try again when it ends") from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"pid {os.getpid()}")
        lock_file.flush()
        try:
            yield
        finally:
            lock_file.truncate(0)
            fcntl.flock(lock_file, fcntl.LOCK_UN)


class _Run:
    def __init__(self, process: CrawlerProcess, sources: list[Source], db_path: str | Path) -> None:
        self.process = process
        self.state_dir = Path(f"{db_path}.state")
        self.crawlers: dict[str, Crawler] = {}
        self.named_boards = {found[1] for found in map(board_url, (s.url for s in sources)) if found}

    def schedule(self, source: Source) -> None:
        crawler = self.process.create_crawler(spider_for(source.kind or "careers_site"))
        self._prepare_state(source, crawler.settings)  # a crawler's settings freeze when it starts
        crawler.signals.connect(self._follow_boards, signal=signals.spider_closed)
        crawler.signals.connect(self._keep_or_drop_state, signal=signals.spider_closed)
        self.crawlers[source.name] = crawler
        self.process.crawl(crawler, source=source)

    def _prepare_state(self, source: Source, settings: Settings) -> None:
        """Each source keeps its crawl state (pending requests, pages seen) in JOBDIR while it runs.
        A run stopped politely (SIGTERM, Ctrl-C) leaves a note of when it started, and the next
        run resumes it; state without that note (a killed run) is dropped, and the run starts over."""
        job_dir = self.state_dir / source.name
        note = job_dir / RESUME_NOTE
        if note.exists():
            settings.set("JOBATLAS_RUN_SINCE", note.read_text().strip(), priority="cmdline")
            note.unlink()
        elif job_dir.exists():
            shutil.rmtree(job_dir)
        settings.set("JOBDIR", str(job_dir), priority="cmdline")

    def _keep_or_drop_state(self, spider: Spider, reason: str) -> None:
        job_dir = Path(spider.crawler.settings["JOBDIR"])
        if reason == "finished":
            shutil.rmtree(job_dir, ignore_errors=True)
        elif job_dir.exists():
            run_since = spider.crawler.stats.get_value("jobatlas/run_since")
            (job_dir / RESUME_NOTE).write_text(run_since or "")

    def _follow_boards(self, spider: Spider) -> None:
        for board, kind in getattr(spider, "boards", {}).items():
            name = f"{spider.source.name}.{kind}"
            if board in self.named_boards or name in self.crawlers:
                continue
            endpoint = self.process.settings.getdict("JOBATLAS_ENDPOINTS").get(board)
            self.schedule(Source(name=name, url=board, kind=kind, endpoint=endpoint, company=spider.source.company))


def _summary(name: str, stats: dict[str, Any]) -> SourceSummary:
    return SourceSummary(
        source=name,
        status=stats.get("jobatlas/run_status", "failed"),
        pages=stats.get("jobatlas/pages", 0),
        postings=stats.get("item_scraped_count", 0),
        new=stats.get("jobatlas/postings_new", 0),
        updated=stats.get("jobatlas/postings_updated", 0),
        unchanged=stats.get("jobatlas/postings_unchanged", 0),
        reopened=stats.get("jobatlas/postings_reopened", 0),
        closed=stats.get("jobatlas/postings_closed", 0),
        problems=problems_by_kind(stats),
    )
