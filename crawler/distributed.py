"""One crawl on several machines: a coordinator and any number of workers meeting in Redis.

The coordinator (`jobatlas crawl --redis URL`) holds the store's lock and is its only writer. It
opens each source's run and puts the source in a queue in Redis; a worker (`jobatlas worker
--redis URL`, on any machine) takes it, crawls it through the usual spiders and pipelines up to
the store, and sends back its postings in batches and, at the end, what the crawler met (its
stats, why it stopped, the postings whose pages are gone, the ATS boards a careers site showed).
The coordinator writes the postings as they come and closes the run with `finish_run`, exactly
as a one-machine crawl does; boards found on sites go into the queue as sources of their own.

The unit of work is the source, not the request: a spider keeps state from one page to the next
(the listing read whole before its postings, translations grouped, the pages a site has shown,
the boards it links), and a run can only close the postings it no longer lists if one crawler saw
the whole listing. So the queue is Redis's reliable-queue pattern: a worker moves a source from
`todo` into its own `doing` list in one step (LMOVE), keeps a heartbeat key alive while it works,
and removes the source from `doing` when it has sent the end. A worker that dies (its heartbeat
expires) has its sources put back in `todo` for another worker, which crawls them again from
the start within the same run; after `JOBATLAS_REDIS_ATTEMPTS` such losses a source's run ends
`failed` (`worker_lost`) and closes nothing. Messages of a lost worker that arrive late still
store their postings (they are true) but never end a run.

Everything in Redis is under `jobatlas:`; one crawl per Redis database at a time. Messages are
pickled: the Redis server must be the operator's own, as for any scrapy-redis deployment.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor

from crawler import settings as crawler_settings
from crawler.crawl import (
    Assignment,
    CrawlReport,
    _Run,
    _SignalledProcess,
    _summary,
    _warm_up,
    board_source,
    crawl_lock,
    named_boards,
    project_settings,
)
from crawler.report import MergedStats, record_problem
from crawler.sources import Source
from pipelines.clock import utc_now
from pipelines.store import BatchingPipeline, CrawlerEnd, Store, finish_run

# Bumped whenever the messages change: a worker must speak the coordinator's language.
PROTOCOL = 1

COORDINATOR = "jobatlas:coordinator"  # who coordinates the crawl (expires unless kept alive)
VERSION = "jobatlas:version"  # the coordinator's jobatlas version and protocol
TODO = "jobatlas:todo"  # sources waiting for a worker
RESULTS = "jobatlas:results"  # postings and ends, on their way to the coordinator
WORKERS = "jobatlas:workers"  # the workers that have joined


def doing(worker: str) -> str:
    """The sources a worker has taken and not yet finished."""
    return f"jobatlas:doing:{worker}"


def alive(worker: str) -> str:
    """A worker's heartbeat: gone when the worker has been silent too long."""
    return f"jobatlas:alive:{worker}"


def protocol_version() -> str:
    return f"jobatlas {version('jobatlas')} (protocol {PROTOCOL})"


class DistributedError(RuntimeError):
    """Redis cannot be reached, or refuses this process a part in the crawl."""


class CoordinatorBusy(DistributedError):
    """Another coordinator runs a crawl on this Redis."""


def connect(url: str) -> Any:
    """A client of the Redis at `url`, checked to answer."""
    import redis  # only for crawls through Redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise DistributedError(f"cannot reach Redis at {url}: {error}") from None
    return client


def _lost_redis(url: str, error: Exception) -> DistributedError:
    return DistributedError(f"lost Redis at {url} during the crawl: {error}; what was written is kept,"
                            " and the next crawl marks these runs interrupted and crawls them again")


def _me() -> str:
    """This process, as the coordinator or a worker: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Job:
    """A source as it travels to a worker: its run's start (what it has seen since then counts as
    seen) and which attempt this is."""

    source: Source
    run_since: str
    attempt: int = 0


# -- the coordinator ---------------------------------------------------------------------------


@dataclass
class _Open:
    """A source whose run is open: what the coordinator knows of it."""

    job: Job
    run_id: int
    open_before: int
    counts: Counter = field(default_factory=Counter)  # postings new, updated, ... as written


def coordinate(sources: list[Source], db_path: str | Path, redis_url: str, overrides: dict[str, Any] | None = None) -> CrawlReport:
    """Crawl `sources` on the workers that pull from the Redis at `redis_url`, writing the store
    at `db_path` here. Raises CrawlLocked (the store is busy), CoordinatorBusy (another
    coordinator uses this Redis) or DistributedError (Redis cannot be reached, or was lost)."""
    settings = project_settings(db_path, overrides)
    beat = settings.getfloat("JOBATLAS_REDIS_HEARTBEAT")
    with crawl_lock(db_path):
        client = connect(redis_url)
        me = _me()
        if not client.set(COORDINATOR, me, nx=True, ex=max(1, round(3 * beat))):
            holder = (client.get(COORDINATOR) or b"?").decode()
            raise CoordinatorBusy(f"another coordinator ({holder}) is running a crawl on Redis at {redis_url}")
        try:
            client.delete(TODO, RESULTS)  # what a stopped coordinator left behind
            client.set(VERSION, protocol_version())
            store = Store(db_path)
            store.mark_interrupted_runs()
            crawl = _Coordination(client, redis_url, store, settings, sources, me)
            try:
                report = crawl.run()
                store.link_duplicates()
            finally:
                store.close()
            return report
        finally:
            import redis

            try:
                if client.get(COORDINATOR) == me.encode():
                    client.delete(COORDINATOR, TODO)
            except redis.RedisError:
                pass


class _Coordination:
    def __init__(self, client: Any, url: str, store: Store, settings: Any, sources: list[Source], me: str) -> None:
        self.client, self.url, self.store, self.settings, self.me = client, url, store, settings, me
        self.beat = settings.getfloat("JOBATLAS_REDIS_HEARTBEAT")
        self.attempts = settings.getint("JOBATLAS_REDIS_ATTEMPTS")
        self.guard = settings.getint("JOBATLAS_EMPTY_LISTING_GUARD")
        self.named = named_boards(sources)
        self.sources = sources
        self.open: dict[str, _Open] = {}
        self.summaries: dict[str, Any] = {}
        self.stopped_by: int | None = None

    def run(self) -> CrawlReport:
        import redis

        previous = {signum: signal.signal(signum, self._stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            for source in self.sources:
                self._enqueue(source)
            next_check = 0.0
            while self.open and self.stopped_by is None:
                message = self.client.blpop([RESULTS], timeout=1)
                if message:
                    self._receive(pickle.loads(message[1]))
                if time.monotonic() >= next_check:
                    self.client.expire(COORDINATOR, max(1, round(3 * self.beat)))
                    self._put_back_what_lost_workers_held()
                    next_check = time.monotonic() + self.beat
        except redis.RedisError as error:
            raise _lost_redis(self.url, error) from None
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        order = [source.name for source in self.sources] + [name for name in self.summaries if name not in {s.name for s in self.sources}]
        return CrawlReport([self.summaries[name] for name in order if name in self.summaries], self.stopped_by)

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopped_by = signum

    def _enqueue(self, source: Source) -> None:
        self.store.save_source(source.name, source.url, source.kind, source.endpoint, source.company)
        since = utc_now()
        job = Job(source, since)
        self.open[source.name] = _Open(job, self.store.start_run(source.name, since), self.store.open_postings(source.name))
        self.client.lpush(TODO, pickle.dumps(job))

    def _receive(self, message: tuple) -> None:
        kind, name, attempt, *payload = message
        current = self.open.get(name)
        if kind == "postings":
            counts = self.store.save_postings(payload[0])
            if current and current.job.attempt == attempt:
                current.counts.update(counts)
        elif kind == "end" and current and current.job.attempt == attempt:
            end, boards = payload
            self._finish(name, end)
            for board, board_kind in boards.items():
                found = board_source(current.job.source, board, board_kind, self.settings)
                if board not in self.named and found.name not in self.open and found.name not in self.summaries:
                    self._enqueue(found)

    def _finish(self, name: str, end: CrawlerEnd) -> None:
        current = self.open.pop(name)
        end.stats.update({f"jobatlas/postings_{outcome}": count for outcome, count in current.counts.items()})
        stats = finish_run(self.store, name, current.job.source.url, current.run_id, current.job.run_since,
                           current.open_before, [end], self.guard)
        self.summaries[name] = _summary(name, stats)

    def _put_back_what_lost_workers_held(self) -> None:
        """A worker whose heartbeat is gone has died or lost its way: what it held goes back in
        the queue (its run stays open), or, after too many losses, ends its run closing nothing."""
        for worker in [member.decode() for member in self.client.smembers(WORKERS)]:
            if self.client.exists(alive(worker)):
                continue
            for payload in self.client.lrange(doing(worker), 0, -1):
                job = pickle.loads(payload)
                current = self.open.get(job.source.name)
                if current is None or current.job.attempt != job.attempt:
                    continue
                if job.attempt + 1 >= self.attempts:
                    stats = MergedStats([])
                    record_problem(stats, "worker_lost", job.source.url,
                                   f"the worker crawling it ({worker}) stopped answering, {job.attempt + 1} time(s)")
                    self._finish(job.source.name, CrawlerEnd(stats, "worker_lost"))
                else:
                    current.job = Job(job.source, job.run_since, job.attempt + 1)
                    current.counts.clear()
                    self.client.lpush(TODO, pickle.dumps(current.job))
            self.client.delete(doing(worker))
            self.client.srem(WORKERS, worker)


# -- a worker ----------------------------------------------------------------------------------


class WorkerRefused(DistributedError):
    """The coordinator runs another jobatlas version."""


def worker_settings(base: Settings, redis_url: str, data_dir: str | Path) -> Settings:
    """A worker's settings: `base` with the relay to the coordinator as the last step, and its
    HTTP cache and crawl state in `data_dir`."""
    settings = base.copy()
    settings.frozen = False  # a running crawler's settings, copied
    pipelines = dict(crawler_settings.ITEM_PIPELINES)
    pipelines[f"{__name__}.RelayPipeline"] = pipelines.pop("pipelines.store.StorePipeline")
    db_path = Path(data_dir) / "worker"  # never written: it names the worker's state and cache
    settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
    settings.set("EXTENSIONS", crawler_settings.EXTENSIONS, priority="cmdline")  # a Scrapyd job's spider turns some off
    settings.set("JOBATLAS_DB", str(db_path), priority="cmdline")
    settings.set("HTTPCACHE_DIR", str(Path(f"{db_path}.httpcache").resolve()), priority="cmdline")
    settings.set("JOBATLAS_REDIS_URL", redis_url, priority="cmdline")
    settings.set("JOBATLAS_WORKER", _me(), priority="cmdline")
    return settings


def serve(
    redis_url: str, data_dir: str | Path, overrides: dict[str, Any] | None = None, wait: float | None = None
) -> tuple[int, int | None]:
    """Crawl the sources a coordinator queues in the Redis at `redis_url` until its crawl is over
    (Scrapy's reactor runs once per process: the next crawl needs a new process). `data_dir`
    keeps this worker's HTTP cache and crawl state. Waits for a coordinator (at most `wait`
    seconds, if given). Returns how many sources it took, and the signal that stopped it, if one
    did: the sources it was crawling then go to another worker."""
    client = connect(redis_url)
    settings = worker_settings(project_settings(Path(data_dir) / "worker", overrides), redis_url, data_dir)
    wait_for_coordinator(client, redis_url, wait)
    process = _SignalledProcess(settings)
    # Scrapy installs its reactor with the first crawler; the queue is read before there is one.
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor

    worker = Worker(client, process, reactor.stop)
    try:
        process.start(stop_after_crawl=False)
    finally:
        worker.leave()
    return worker.taken, process.stopped_by


class Worker:
    """This process's part in a crawl: its heartbeat, and the sources it takes from the queue
    (every half second, while it has room for them) and crawls with `crawlers` (a CrawlerProcess,
    or a CrawlerRunner inside a running crawl). Calls `when_over` once the crawl is over and its
    crawlers have stopped. Made in the reactor's thread, before or while it runs."""

    def __init__(self, client: Any, crawlers: CrawlerRunner, when_over: Callable[[], None]) -> None:
        from twisted.internet import reactor, task

        self.client, self.when_over = client, when_over
        self.me = crawlers.settings["JOBATLAS_WORKER"]
        self.heartbeat = _Heartbeat(client, self.me, crawlers.settings.getfloat("JOBATLAS_REDIS_HEARTBEAT"))
        self.heartbeat.start()
        _warm_up()
        self.run = _Run(crawlers, [], crawlers.settings["JOBATLAS_DB"], follow_boards=False)
        self.taken = 0
        self.leaving = False
        reactor.addSystemEventTrigger("before", "shutdown", self.leave)
        self.taking = task.LoopingCall(self.take)
        self.taking.start(0.5)

    def take(self) -> None:
        import redis

        if self.leaving:
            return
        try:
            while self.run.running < self.run.at_once and not self.run.stopped:
                payload = self.client.lmove(TODO, doing(self.me), "RIGHT", "LEFT")
                if payload is None:
                    break
                job: Job = pickle.loads(payload)
                self.taken += 1
                self.run.schedule(Assignment(job.source), {"JOBATLAS_REDIS_JOB": payload, "JOBATLAS_RUN_SINCE": job.run_since})
            crawl_over = not self.client.exists(COORDINATOR)
        except redis.RedisError:
            return  # Redis away for a moment: try again at the next call
        if not crawl_over:
            return
        # The coordinator is gone (done, stopped or dead): nobody would write what is read.
        if self.run.running:
            if not self.run.stopped:
                self.run.stopped = True
                self.run.process.stop()
        else:
            self.leave()
            self.when_over()

    def leave(self) -> None:
        """Take nothing more (the process stops, or the crawl is over); the heartbeat stops."""
        if not self.leaving:
            self.leaving = True
            if self.taking.running:
                self.taking.stop()
            self.heartbeat.stop()


def wait_for_coordinator(client: Any, url: str, wait: float | None) -> None:
    started = time.monotonic()
    while True:
        coordinator_version = client.get(VERSION)
        if coordinator_version is not None and client.exists(COORDINATOR):
            if coordinator_version.decode() != protocol_version():
                raise WorkerRefused(f"the coordinator on Redis at {url} runs {coordinator_version.decode()};"
                                    f" this worker is {protocol_version()}: install the same version on both")
            return
        if wait is not None and time.monotonic() - started > wait:
            raise DistributedError(f"no coordinator on Redis at {url} within {wait:g} s")
        time.sleep(0.5)


class _Heartbeat:
    """Keeps this worker's `alive` key from expiring, from a thread of its own: a long page in the
    crawl's thread must not make it look dead."""

    def __init__(self, client: Any, worker: str, beat: float) -> None:
        self.client, self.worker, self.beat = client, worker, beat
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="jobatlas-heartbeat", daemon=True)

    def start(self) -> None:
        self.client.sadd(WORKERS, self.worker)
        self._beat()
        self.thread.start()

    def _beat(self) -> None:
        self.client.set(alive(self.worker), "1", ex=max(1, round(3 * self.beat)))

    def _run(self) -> None:
        import redis

        while not self.done.wait(self.beat):
            try:
                self._beat()
            except redis.RedisError:  # Redis away for a moment: the next beat tries again
                pass

    def stop(self) -> None:
        self.done.set()
        import redis

        try:
            self.client.delete(alive(self.worker))
            # Still holding sources (it was stopped mid-crawl): the coordinator finds it gone and
            # gives them to another worker.
            if not self.client.llen(doing(self.worker)):
                self.client.srem(WORKERS, self.worker)
        except redis.RedisError:
            pass


class RelayPipeline(BatchingPipeline):
    """Step 5 on a worker: postings go to the coordinator through Redis in batches, and at the end
    what the crawler met; the coordinator writes them (`pipelines.store.StorePipeline` there)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.payload: bytes = crawler.settings["JOBATLAS_REDIS_JOB"]
        self.job: Job = pickle.loads(self.payload)
        self.worker = crawler.settings["JOBATLAS_WORKER"]
        self.client = connect(crawler.settings["JOBATLAS_REDIS_URL"])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RelayPipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.crawler.stats.set_value("jobatlas/run_since", self.job.run_since)

    def flush(self) -> None:
        if self.buffer:
            batch, self.buffer = self.buffer, []
            self._send("postings", batch)

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        end = CrawlerEnd(dict(self.crawler.stats.get_stats()), reason, set(getattr(spider, "gone_keys", ())))
        if reason == "shutdown" and self.client.exists(COORDINATOR):
            return  # this worker is leaving while the crawl goes on: its source goes to another
        transaction = self.client.pipeline()
        transaction.rpush(RESULTS, pickle.dumps(("end", self.job.source.name, self.job.attempt, end, dict(getattr(spider, "boards", {})))))
        transaction.lrem(doing(self.worker), 1, self.payload)
        transaction.execute()

    def _send(self, kind: str, *payload: Any) -> None:
        self.client.rpush(RESULTS, pickle.dumps((kind, self.job.source.name, self.job.attempt, *payload)))
