"""Run a crawl: the sources shared out between worker processes, one per core, each running one
Scrapy crawler per source it is given; then a summary per source.

How the work is shared: sources wait whole in one pool, heaviest first (by the pages their last
run fetched), and each worker takes the next one whenever it has room for another. A careers
site that fetched more than SHARD_MIN_PAGES pages last time (or any careers site read before,
when there are fewer sources than workers) is split between all the workers: each part reads
the listing and fetches the postings whose URL falls to it (`CareersSiteSpider.owns`).
This process holds the store's lock, starts the runs of split sources and writes each one once
all its parts have stopped (`pipelines.store.finish_run`), since only the whole run can tell
which postings are gone.

Workers are forked from this process after the language model and location tables are loaded, so
they share them. Scrapy's reactor can start once per process, so each round of work gets fresh
workers; with one worker, the crawl runs in this process.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import difflib
import fcntl
import gc
import json
import math
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

# Imported here, near the bottom of the stack, rather than by the first crawler's downloader deep
# inside the reactor: its module makes deprecated aliases that read the whole call stack
# (inspect.stack), which cost 0.25 s there and a tenth of that here.
import scrapy.core.downloader.handlers.http11  # noqa: F401
from scrapy import Spider, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import BaseSettings, Settings, SettingsAttribute
from scrapy.utils.misc import load_object

from crawler.middlewares import HostAllowance
from crawler.report import EXAMPLES_KEY, NOTES, AlreadyReported, first_error, problems_by_kind, record_problem
from crawler.settings import source_and_parts, state_name, user_agent
from crawler.sources import Source, board_url
from pipelines.language import default_detector
from pipelines.location import LocationPipeline
from pipelines.clock import utc_now
from pipelines.store import CrawlerEnd, Store, close_shared_stores, finish_run

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
    "join": "crawler.spiders.join.JoinSpider",
    "successfactors": "crawler.spiders.successfactors.SuccessFactorsSpider",
    "pinpoint": "crawler.spiders.pinpoint.PinpointSpider",
    "oracle": "crawler.spiders.oracle.OracleSpider",
    "eightfold": "crawler.spiders.eightfold.EightfoldSpider",
    "jobylon": "crawler.spiders.jobylon.JobylonSpider",
    "gem": "crawler.spiders.gem.GemSpider",
    "icims": "crawler.spiders.icims.IcimsSpider",
    "rippling": "crawler.spiders.rippling.RipplingSpider",
    "gupy": "crawler.spiders.gupy.GupySpider",
    "softgarden": "crawler.spiders.softgarden.SoftgardenSpider",
    "breezy": "crawler.spiders.breezy.BreezySpider",
    "comeet": "crawler.spiders.comeet.ComeetSpider",
    "bamboohr": "crawler.spiders.bamboohr.BambooHRSpider",
    "hibob": "crawler.spiders.hibob.HiBobSpider",
    "ukg": "crawler.spiders.ukg.UKGSpider",
    "dvinci": "crawler.spiders.dvinci.DvinciSpider",
    "homerun": "crawler.spiders.homerun.HomerunSpider",
    "taleo": "crawler.spiders.taleo.TaleoSpider",
    "welcometothejungle": "crawler.spiders.welcometothejungle.WelcomeToTheJungleSpider",
    "phenom": "crawler.spiders.phenom.PhenomSpider",
    "factorial": "crawler.spiders.factorial.FactorialSpider",
    "umantis": "crawler.spiders.umantis.UmantisSpider",
    "cornerstone": "crawler.spiders.cornerstone.CornerstoneSpider",
    "dayforce": "crawler.spiders.dayforce.DayforceSpider",
    "avature": "crawler.spiders.avature.AvatureSpider",
    "paylocity": "crawler.spiders.paylocity.PaylocitySpider",
    "feed": "crawler.spiders.feed.FeedSpider",
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
    first_error: str | None = None  # `kind: URL (detail)`, what a failed source is reported by

    @property
    def errors(self) -> dict[str, int]:
        return {kind: count for kind, count in self.problems.items() if kind not in NOTES}


@dataclass
class CrawlReport:
    """What a crawl did to each source, and the signal (SIGINT, SIGTERM) that stopped it early, if one did."""

    summaries: list[SourceSummary]
    stopped_by: int | None = None


class _SignalledProcess(CrawlerProcess):
    """A CrawlerProcess that remembers which signal asked it to stop (Scrapy's own handler stops
    it politely on the first, at once on the second)."""

    stopped_by: int | None = None

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.stopped_by = signum
        super()._signal_shutdown(signum, frame)


class CrawlSettings(Settings):
    """Settings whose copy shares the values that cannot change. Scrapy copies the settings for
    every crawler, and a crawl makes one per source: its deep copy of every default and component
    table cost 2.7 ms a source (0.3 ms now), a tenth of what a census of small boards spent on each."""

    def copy(self) -> CrawlSettings:
        return _copied(self)


_IMMUTABLE = (str, int, float, bool, type(None), type, bytes, frozenset)


def _copied(settings: BaseSettings) -> Any:
    copied = object.__new__(type(settings))
    copied.__dict__.update(settings.__dict__)
    copied.frozen = False
    copied.attributes = {}
    for name, attribute in settings.attributes.items():
        value = attribute.value
        if isinstance(value, BaseSettings):
            value = _copied(value)
        elif not isinstance(value, _IMMUTABLE):
            value = copy.deepcopy(value)
        kept = object.__new__(SettingsAttribute)
        kept.value, kept.priority = value, attribute.priority
        copied.attributes[name] = kept
    return copied


def project_settings(db_path: str | Path, overrides: dict[str, Any] | None = None) -> Settings:
    settings = CrawlSettings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("JOBATLAS_DB", str(db_path), priority="cmdline")
    settings.set("HTTPCACHE_DIR", str(Path(f"{db_path}.httpcache").resolve()), priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if "JOBATLAS_CONTACT_URL" in (overrides or {}) and "USER_AGENT" not in overrides:
        settings.set("USER_AGENT", user_agent(settings["JOBATLAS_CONTACT_URL"]), priority="cmdline")
    return settings


def parse_overrides(texts: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`SETTING=VALUE` texts (from `--set`) as setting values of the type of each setting's
    default: `DOWNLOAD_TIMEOUT=10` is a number, `AUTOTHROTTLE_ENABLED=false` a boolean, a dict
    setting takes JSON. Raises ValueError naming the first bad one, before anything is crawled:
    a setting Scrapy and jobatlas do not have (a typo, with the closest names), or a value of the
    wrong type."""
    defaults = project_settings(":memory:")
    overrides = {}
    for text in texts:
        name, separator, value = text.partition("=")
        name = name.strip()
        if not separator or not name:
            raise ValueError(f"--set expects SETTING=VALUE, got {text!r}")
        if name not in defaults:
            close = difflib.get_close_matches(name, list(defaults), n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ValueError(f"--set {name}: no such Scrapy or jobatlas setting{hint}")
        try:
            overrides[name] = _typed_like(defaults[name], value)
        except ValueError as error:
            raise ValueError(f"--set {name}={value}: {error}") from None
    return overrides


def _typed_like(default: Any, value: str) -> Any:
    """`value` read as the type of `default` (text when the default is None or text)."""
    if isinstance(default, bool):
        words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        if value.strip().lower() not in words:
            raise ValueError("expected true or false")
        return words[value.strip().lower()]
    if isinstance(default, (int, float)):
        try:
            number = float(value) if isinstance(default, float) or "." in value else int(value)
        except ValueError:
            raise ValueError(f"expected a number, like {default}") from None
        if not math.isfinite(number):
            raise ValueError("expected a finite number")
        return number
    if isinstance(default, (dict, list, BaseSettings)):
        try:
            parsed = json.loads(value)
        except ValueError:
            raise ValueError("expected JSON") from None
        expected = list if isinstance(default, list) else dict
        if not isinstance(parsed, expected):
            raise ValueError(f"expected a JSON {'array' if expected is list else 'object'}")
        return parsed
    return value


# A careers site whose last run fetched more pages than this is split between the workers.
SHARD_MIN_PAGES = 500
# What a source never crawled before weighs when sharing out the work, in pages.
UNKNOWN_SOURCE_PAGES = 50


@dataclass(frozen=True)
class Assignment:
    """A source for a worker to crawl: whole, or one part of it (`part` of `parts`)."""

    source: Source
    part: int = 0
    parts: int = 1

    @property
    def shard(self) -> str | None:
        """The JOBATLAS_SHARD value of a part, None for a whole source."""
        return f"{self.part}/{self.parts}" if self.parts > 1 else None


def default_workers() -> int:
    """One worker per core this process may run on."""
    return len(os.sched_getaffinity(0))


@dataclass
class Plan:
    """Who crawls what: each worker its own part of every split careers site (`parts`, one list per
    worker), and every other source whole, from one `pool`, heaviest first, taken by whichever
    worker has room for another source: a worker that drew small boards takes more of them, and
    no worker sits idle while another still has a queue."""

    parts: list[list[Assignment]]
    pool: list[Assignment]

    @property
    def workers(self) -> int:
        """The processes worth starting: one per part of a split site, else no more than the sources."""
        return len(self.parts) if any(self.parts) else max(1, min(len(self.parts), len(self.pool)))

    @property
    def assignments(self) -> list[Assignment]:
        return [assignment for assignments in self.parts for assignment in assignments] + self.pool


def share_out(
    sources: list[Source], workers: int, last_pages: dict[str, int], resuming: dict[str, int] | None = None
) -> Plan:
    """What the workers crawl: large careers sites split between all of them, every other source
    whole, heaviest first. A source whose stopped run is resumed (`resuming`: its name → the parts
    it was crawled in) is crawled as it was, whole or in as many parts, since its state is kept
    per part."""
    resuming = resuming or {}
    workers = max(1, workers)

    def pages(source: Source) -> int:
        return last_pages.get(source.name) or UNKNOWN_SOURCE_PAGES

    parts: list[list[Assignment]] = [[] for _ in range(workers)]
    whole = []
    for source in sources:
        fetched = last_pages.get(source.name, 0)
        # A site never read successfully is not split: it may not even answer, and each part
        # would fail on its own.
        large = workers > 1 and (fetched >= SHARD_MIN_PAGES or (fetched > 0 and len(sources) < workers))
        if source.name in resuming:
            large = workers > 1 and resuming[source.name] == workers
        if (source.kind or "careers_site") == "careers_site" and large:
            for part in range(workers):
                parts[part].append(Assignment(source, part, workers))
        else:
            whole.append(source)
    return Plan(parts, [Assignment(source) for source in sorted(whole, key=pages, reverse=True)])


def crawl(
    sources: list[Source], db_path: str | Path, overrides: dict[str, Any] | None = None, workers: int | None = None
) -> CrawlReport:
    """Crawl the sources into the store at `db_path` with `workers` processes (default: one per
    core); reports what happened to each source, and the signal that stopped the crawl early.

    A careers site that embeds or links an ATS board gets that board crawled too, as the source
    `<name>.<kind>`, once the site's own crawl is over (unless a source already names the board).

    Raises CrawlLocked when another crawl is writing to the same store."""
    if (overrides or {}).get("LOG_LEVEL", "WARNING") not in ("DEBUG", "INFO"):
        AlreadyReported.install()
    with crawl_lock(db_path):
        store = Store(db_path)  # create or migrate the schema once, before crawlers open it side by side
        store.mark_interrupted_runs()
        last_pages = store.last_run_pages()
        store.close()
        plan = share_out(sources, workers or default_workers(), last_pages, stopped_runs(db_path))
        _warm_up()
        if plan.workers > 1:
            report = _crawl_in_workers(plan, sources, db_path, overrides or {})
        else:
            report = _crawl_in_process(plan.assignments, sources, db_path, overrides)
        # Once every source is written: the same job on a careers page and on its board counts once.
        store = Store(db_path)
        store.link_duplicates()
        store.close()
        return report


def _crawl_in_process(
    assignments: list[Assignment], sources: list[Source], db_path: str | Path, overrides: dict[str, Any] | None
) -> CrawlReport:
    process = _SignalledProcess(project_settings(db_path, overrides))
    run = _Run(process, sources, db_path)
    for assignment in assignments:
        run.schedule(assignment)
    if run.crawlers:
        process.start()
    close_shared_stores()
    results = run.results()
    record_runs_never_started(db_path, results)
    return CrawlReport([_summary(result.source, result.end.stats) for result in results], process.stopped_by)


# Written in a source's JOBDIR when its run was stopped politely: the run's start, for the resume.
RESUME_NOTE = "jobatlas-resume"
# The status of a source whose turn had not come when the crawl was stopped.
NOT_STARTED = "not started"


class CrawlLocked(RuntimeError):
    """Another `jobatlas crawl` holds the store."""


@contextlib.contextmanager
def crawl_lock(db_path: str | Path) -> Iterator[None]:
    """One crawl per store at a time: a lock file beside the database, held for the whole crawl
    and released by the kernel when the process (and the workers it forked, which share the lock)
    dies, so a killed crawl never blocks the next."""
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


@dataclass
class CrawlerResult:
    """What one crawler reports back: its source (and part), how it ended, the boards it found."""

    source: str
    part: int
    parts: int
    end: CrawlerEnd
    boards: dict[str, str] = field(default_factory=dict)


def state_dir(db_path: str | Path) -> Path:
    """Where crawlers keep their resumable state (one folder each) and workers their reports."""
    return Path(f"{db_path}.state")


def stopped_runs(db_path: str | Path) -> dict[str, int]:
    """Sources whose last run was stopped politely and will be resumed: name → the parts it was
    crawled in (1: whole)."""
    return dict(source_and_parts(note.parent.name) for note in state_dir(db_path).glob(f"*/{RESUME_NOTE}"))


def named_boards(sources: list[Source]) -> set[str]:
    """The ATS boards the sources file names itself: never crawled again as found on a site."""
    return {found[1] for found in map(board_url, (source.url for source in sources)) if found}


class _Run:
    """The crawlers of one process: one per source or part of a source given to it."""

    def __init__(self, process: CrawlerProcess, sources: list[Source], db_path: str | Path, follow_boards: bool = True) -> None:
        self.process = process
        self.follow_boards = follow_boards  # boards found on sites crawled here (else the caller crawls them)
        self.state_dir = state_dir(db_path)
        self.crawlers: dict[str, tuple[Assignment, Crawler]] = {}  # those still running
        self.finished: dict[str, CrawlerResult] = {}
        self.named_boards = named_boards(sources)
        # Each running crawler holds its connections, open files, cache and answers in memory:
        # a process runs this many at once, the others wait their turn.
        self.at_once = process.settings.getint("JOBATLAS_CONCURRENT_SOURCES")
        self.running = 0
        self.waiting: deque[tuple[Assignment, dict[str, Any]]] = deque()
        self.pool: SharedPool | None = None
        self.stopped = False

    def schedule(self, assignment: Assignment, settings: dict[str, Any] | None = None) -> None:
        """Start a crawler for the assignment (with these settings of its own) now, or once one of
        those running has finished."""
        if self.running >= self.at_once:
            self.waiting.append((assignment, settings or {}))
        else:
            self._start(assignment, settings or {})

    def _start(self, assignment: Assignment, settings: dict[str, Any]) -> None:
        source = assignment.source
        crawler = self.process.create_crawler(spider_for(source.kind or "careers_site"))
        name = state_name(source.name, assignment.shard)
        # A crawler's settings freeze when it starts.
        self._prepare_state(name, crawler.settings)
        crawler.settings.setdict(settings, priority="cmdline")
        if assignment.shard:
            # The parts fetch from the same hosts at once: the host allowance counts them together.
            crawler.settings.set("JOBATLAS_SHARD", assignment.shard, priority="cmdline")
        elif self.follow_boards:
            crawler.signals.connect(self._follow_boards, signal=signals.spider_closed)
        crawler.signals.connect(self._keep_or_drop_state, signal=signals.spider_closed)
        crawler.signals.connect(self._start_next, signal=signals.spider_closed)
        self.crawlers[name] = (assignment, crawler)
        self.running += 1
        crawl = self.process.crawl(crawler, source=source).addErrback(self._crawler_failed, crawler, source)
        crawl.addBoth(self._keep_result, name)

    def _keep_result(self, _: Any, name: str) -> None:
        """Keep what a finished crawler did, and let go of the crawler itself (its engine,
        downloader, pipelines and settings): a census of thousands of sources kept them all."""
        assignment, crawler = self.crawlers.pop(name)
        self.finished[name] = _result(assignment, crawler)

    def take_from(self, pool: SharedPool) -> None:
        """Start sources from the workers' shared pool whenever this process has room for one, until
        the pool is empty."""
        self.pool = pool
        self._fill()

    def _fill(self) -> None:
        pool = self.pool
        if pool is None:
            return
        # No more at once than a fair share of the pool: the first worker to start would take the
        # first JOBATLAS_CONCURRENT_SOURCES of forty large boards and leave the others eight.
        at_once = min(self.at_once, pool.share)
        while self.running < at_once and not self.stopped and (assignment := pool.take()):
            self._start(assignment, {})

    def _start_next(self, spider: Spider, reason: str) -> None:
        self.running -= 1
        # Closed because the process is stopping (Ctrl-C, SIGTERM): no other crawler starts.
        self.stopped = self.stopped or reason == "shutdown"
        if self.waiting and not self.stopped:
            self._start(*self.waiting.popleft())
        else:
            self._fill()

    def _crawler_failed(self, failure: Any, crawler: Crawler, source: Source) -> None:
        """A crawler that could not start, or broke down: its source is reported with the cause."""
        if crawler.stats is not None:
            record_problem(crawler.stats, "crawler_error", source.url, f"{failure.type.__name__}: {failure.getErrorMessage()}")

    def results(self) -> list[CrawlerResult]:
        """What each crawler did; call once the process has stopped."""
        results = list(self.finished.values())
        results += [_result(assignment, crawler) for assignment, crawler in self.crawlers.values()]
        for assignment, _ in self.waiting:  # left waiting by a stop
            end = CrawlerEnd({"jobatlas/run_status": NOT_STARTED}, NOT_STARTED)
            results.append(CrawlerResult(assignment.source.name, assignment.part, assignment.parts, end))
        return results

    def _prepare_state(self, name: str, settings: Settings) -> None:
        """Each crawler keeps its crawl state (pending requests, pages seen) in JOBDIR while it
        runs. A run stopped politely (SIGTERM, Ctrl-C) leaves a note of when it started, and the
        next run resumes it; state without that note (a killed run) is dropped, and the run starts over."""
        job_dir = self.state_dir / name
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
            source = board_source(spider.source, board, kind, self.process.settings)
            if board not in self.named_boards and source.name not in self.crawlers and source.name not in self.finished:
                self.schedule(Assignment(source))


def _result(assignment: Assignment, crawler: Crawler) -> CrawlerResult:
    """What a crawler did (so far, if it still runs: a stopped process may have left it running)."""
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    spider = crawler.spider
    end = CrawlerEnd(dict(stats), stats.get("finish_reason", "killed"), set(getattr(spider, "gone_keys", ())))
    return CrawlerResult(assignment.source.name, assignment.part, assignment.parts, end, dict(getattr(spider, "boards", {})))


def record_runs_never_started(db_path: str | Path, results: list[CrawlerResult]) -> None:
    """A whole source whose crawler never opened its run (it could not start) still gets its
    crawl_runs row, failed, with what it met: one row per source per run, never none."""
    unopened = [
        result for result in results
        if result.parts == 1 and not {"jobatlas/run_since", "jobatlas/run_status"} & set(result.end.stats)
    ]
    if not unopened:
        return
    store = Store(db_path)
    for result in unopened:
        stats = result.end.stats
        stats["jobatlas/run_status"] = "failed"
        problems = problems_by_kind(stats) or {"crawler_error": 1}
        store.finish_run(
            store.start_run(result.source), status="failed", pages=0, postings_seen=0, errors=sum(problems.values()),
            problems=problems, problem_examples=stats.get(EXAMPLES_KEY, []),
        )
    store.close()


def board_source(site: Source, board: str, kind: str, settings: Settings) -> Source:
    """The source an ATS board found on a careers site is crawled as: `<site>.<kind>`."""
    endpoint = settings.getdict("JOBATLAS_ENDPOINTS").get(board)
    return Source(name=f"{site.name}.{kind}", url=board, kind=kind, endpoint=endpoint, company=site.company)


def _warm_up() -> None:
    """Load the language model and the location tables once, before any crawler starts (the
    first process ever builds their files in the cache folder: two workers would build them
    twice): forked workers share them, as memory mapped from the same files or copied only where
    written, and the per-host request counts, which they keep together. Frozen out of the
    garbage collector's sight, the objects loaded so far are not traversed again by every full
    collection, in this process or in the workers."""
    HostAllowance.shared()
    default_detector()
    LocationPipeline().open_spider()
    gc.collect()
    gc.freeze()


# -- workers ---------------------------------------------------------------------------------


def _crawl_in_workers(plan: Plan, sources: list[Source], db_path: str | Path, overrides: dict[str, Any]) -> CrawlReport:
    split = {a.source.name: a for a in plan.assignments if a.parts > 1}
    store = Store(db_path)
    runs = {}
    for name, assignment in split.items():
        started = utc_now()
        runs[name] = (store.start_run(name, started), _resume_since(state_dir(db_path), assignment) or started, store.open_postings(name))
    store.close()

    results, stopped = _run_workers(plan, sources, db_path, overrides)
    # Boards found on split sites were left to this process, so that each is crawled once
    # (unless the crawl was asked to stop).
    named = named_boards(sources)
    crawled = {result.source for result in results}
    settings = project_settings(db_path, overrides)
    boards = {}
    for result in results:
        if result.parts > 1:
            for board, kind in result.boards.items():
                source = board_source(split[result.source].source, board, kind, settings)
                if board not in named and source.name not in crawled:
                    boards[source.name] = source
    if boards and stopped is None:
        more_results, stopped = _run_workers(share_out(list(boards.values()), plan.workers, {}), sources, db_path, overrides)
        results += more_results

    record_runs_never_started(db_path, results)
    store = Store(db_path)
    # A source whose worker died without reporting failed: its run stays 'running' until the
    # next crawl marks it interrupted.
    summaries = {a.source.name: _summary(a.source.name, {}) for a in plan.assignments}
    for result in results:
        if result.parts == 1:
            summaries[result.source] = _summary(result.source, result.end.stats)
    guard = settings.getint("JOBATLAS_EMPTY_LISTING_GUARD")
    for name, assignment in split.items():
        ends = [result.end for result in results if result.source == name]
        # A part whose worker died reported nothing: the run cannot be complete.
        ends += [CrawlerEnd({}, "killed")] * (assignment.parts - len(ends))
        stats = finish_run(store, name, assignment.source.url, *runs[name], ends, guard)
        summaries[name] = _summary(name, stats)
    store.close()
    order = [source.name for source in sources] + sorted(set(summaries) - {s.name for s in sources})
    return CrawlReport([summaries[name] for name in order if name in summaries], stopped)


def _resume_since(states: Path, assignment: Assignment) -> str | None:
    """When the run a split source's parts resume began (the earliest of their notes), if any does."""
    notes = []
    for part in range(assignment.parts):
        shard = Assignment(assignment.source, part, assignment.parts).shard
        note = states / state_name(assignment.source.name, shard) / RESUME_NOTE
        if note.exists() and (since := note.read_text().strip()):
            notes.append(since)
    return min(notes, default=None)


class SharedPool:
    """Sources the forked workers take one at a time, in order: a counter in shared memory says
    how many have been taken."""

    def __init__(self, assignments: list[Assignment], workers: int, context: Any) -> None:
        self.assignments = assignments
        self.share = math.ceil(len(assignments) / workers)  # each worker's, were they all alike
        self.taken = context.Value("i", 0)

    def take(self) -> Assignment | None:
        with self.taken.get_lock():
            if self.taken.value >= len(self.assignments):
                return None
            self.taken.value += 1
            return self.assignments[self.taken.value - 1]

    def untaken(self) -> list[Assignment]:
        return self.assignments[self.taken.value :]


def _run_workers(
    plan: Plan, sources: list[Source], db_path: str | Path, overrides: dict[str, Any]
) -> tuple[list[CrawlerResult], int | None]:
    """Fork the plan's workers, wait for all; (what they report, the signal that asked the crawl to
    stop, if one did). SIGINT and SIGTERM are passed on to the workers (which ignore them from
    anywhere else, as a terminal or a service manager signals every process at once): the first
    stops them politely, a second one at once."""
    reports = state_dir(db_path)
    reports.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    pool = SharedPool(plan.pool, plan.workers, context)
    outputs = [reports / f"worker-{number}.results" for number in range(plan.workers)]
    workers = [
        context.Process(target=_worker, args=(parts, pool, sources, db_path, overrides, output), daemon=False)
        for parts, output in zip(plan.parts, outputs)
    ]

    stops = []

    def pass_on(signum: int, frame: Any) -> None:
        stops.append(signum)
        for worker in workers:
            if worker.is_alive():
                os.kill(worker.pid, signal.SIGUSR1)

    previous = {signum: signal.signal(signum, pass_on) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    results = []
    for worker, output in zip(workers, outputs):
        if output.exists():
            results += pickle.loads(output.read_bytes())
            output.unlink()
        else:  # killed, or crashed (its traceback is on stderr): its sources report nothing
            print(f"jobatlas: a worker stopped (exit code {worker.exitcode}) before reporting", file=sys.stderr)
    reported = {(result.source, result.part) for result in results}
    untaken = pool.untaken()
    lost = [a for a in plan.assignments if (a.source.name, a.part) not in reported and a not in untaken]
    if lost:
        names = ", ".join(state_name(a.source.name, a.shard) for a in lost)
        print(f"jobatlas: nothing reported on {names}: its worker stopped", file=sys.stderr)
    # Left in the pool by a crawl asked to stop.
    for assignment in untaken:
        end = CrawlerEnd({"jobatlas/run_status": NOT_STARTED}, NOT_STARTED)
        results.append(CrawlerResult(assignment.source.name, assignment.part, assignment.parts, end))
    return results, stops[0] if stops else None


def _worker(
    parts: list[Assignment], pool: SharedPool, sources: list[Source], db_path: str | Path, overrides: dict[str, Any],
    output: Path,
) -> None:
    _die_with_parent()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    run = _Run(CrawlerProcess(project_settings(db_path, overrides)), sources, db_path)
    for assignment in parts:
        run.schedule(assignment)
    run.take_from(pool)

    from twisted.internet import reactor  # installed by CrawlerProcess: import it only now

    stops = 0

    def stop(signum: int, frame: Any) -> None:
        nonlocal stops
        stops += 1
        reactor.callFromThread(run.process.stop if stops == 1 else reactor.stop)

    signal.signal(signal.SIGUSR1, stop)
    if run.crawlers:
        run.process.start(install_signal_handlers=False)
    close_shared_stores()
    output.write_bytes(pickle.dumps(run.results()))


def _die_with_parent() -> None:
    """A worker must not outlive its crawl: killed with it (Linux), it leaves nothing half-done
    behind a lock that a new crawl could otherwise take."""
    PR_SET_PDEATHSIG = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(1)


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
        first_error=first_error(stats),
    )
