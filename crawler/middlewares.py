"""Downloader middlewares and policies: waiting when asked to, and asking only for what changed."""

from __future__ import annotations

import ipaddress
import json
import multiprocessing
import zlib
from collections import defaultdict, deque
import shutil
import sqlite3
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.project import data_path
from twisted.internet import task
from twisted.internet.defer import Deferred

from crawler.settings import state_name


def _reactor() -> Any:
    """The running reactor. Imported when used, not with this module: importing it installs
    Twisted's default reactor, and the crawl process must install Scrapy's asyncio one first."""
    from twisted.internet import reactor

    return reactor


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait: delta-seconds or an HTTP date; None if absent
    or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting as long as a 429/503 answer's `Retry-After` asks, up to
    RETRY_AFTER_MAX seconds. A server asking for longer is not retried in this run: the failure
    is reported and the next scheduled crawl tries again."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 60.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if response.status in (429, 503) and wait is not None and not request.meta.get("dont_retry"):
            if wait > self.max_wait:
                return response
            await maybe_deferred_to_future(task.deferLater(_reactor(), wait, lambda: None))
        return super().process_response(request, response)


class RevalidatingCachePolicy(RFC2616Policy):
    """Conditional requests, nothing more: every cached page is revalidated (If-None-Match /
    If-Modified-Since) and used only when the server answers 304 Not Modified.

    Scrapy's RFC 2616 policy would also serve pages it thinks fresh without asking, and serve the
    cached copy when the server answers 5xx; both would hide what the site says now (a closed
    posting, a failing server) from the crawl."""

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if b"no-store" in self._parse_cachecontrol(response):
            return False
        return response.status == 200 and (b"ETag" in response.headers or b"Last-Modified" in response.headers)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        return response.status == 304


class HostGuardMiddleware:
    """No request leaves the hosts a source names, and its ATS's API hosts: not a link, not a
    redirect, not robots.txt of another host. An API host that resolves to a loopback, private,
    link-local, multicast or reserved address (DNS rebinding, a poisoned resolver) is refused too;
    hosts the sources file names itself (tests name 127.0.0.1) are trusted as written."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.checked: dict[str, bool] = {}  # host → resolves to public addresses only

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HostGuardMiddleware":
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        netloc = urlsplit(request.url).netloc.lower()
        if netloc not in spider.hosts:
            raise IgnoreRequest(f"offsite: {netloc} is not a host of source {spider.source.name}")
        if netloc in spider.source.hosts:
            return
        host = urlsplit(request.url).hostname or ""
        if host not in self.checked:
            self.checked[host] = await self._public_only(host)
        if not self.checked[host]:
            raise IgnoreRequest(f"offsite: {host} resolves to a non-public address")

    async def _public_only(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            try:
                address = ipaddress.ip_address(await maybe_deferred_to_future(_reactor().resolve(host)))
            except Exception:  # an unresolvable host fails at download, with its own error
                return True
        return address.is_global and not address.is_multicast


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with each host's robots.txt fetched once per process for all
    its crawlers (one per source), not once per crawler: a census puts thousands of small boards
    on one API host, and each board's own fetch of it would double the requests the host answers.
    A process lives for one round of a crawl, so no robots.txt is older than the crawl."""

    _parsers_by_host: dict[str, Any] = {}

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._parsers = self._parsers_by_host


class HostAllowance:
    """Requests in flight per host (with its port), counted together by every crawler of a crawl,
    in every worker: the counts live in memory shared by the processes forked after `shared()`
    was first called (crawler/crawl.py calls it before forking). A host is counted in one of
    SLOTS counters, by hash: two hosts that share one share an allowance, which errs on the side
    of politeness."""

    SLOTS = 4096
    # How often waiting requests look again for a place freed by another worker (a place freed
    # in this process is handed on at once).
    POLL_SECONDS = 0.01
    _shared: "HostAllowance | None" = None

    def __init__(self) -> None:
        self.counts = multiprocessing.RawArray("i", self.SLOTS)
        self.lock = multiprocessing.Lock()
        self.waiting: dict[int, deque[tuple[int, Deferred[None]]]] = defaultdict(deque)
        self.poll: task.LoopingCall | None = None

    @classmethod
    def shared(cls) -> "HostAllowance":
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    @classmethod
    def slot(cls, host: str) -> int:
        return zlib.crc32(host.encode()) % cls.SLOTS

    def _take(self, slot: int, allowance: int) -> bool:
        with self.lock:
            if self.counts[slot] >= allowance:
                return False
            self.counts[slot] += 1
            return True

    def acquire(self, slot: int, allowance: int) -> Deferred[None] | None:
        """None when a place was free (it is now taken), else a Deferred fired once one is."""
        if not self.waiting[slot] and self._take(slot, allowance):
            return None
        waiter: Deferred[None] = Deferred()
        self.waiting[slot].append((allowance, waiter))
        if self.poll is None:
            self.poll = task.LoopingCall(self._hand_on)
            self.poll.start(self.POLL_SECONDS, now=False)
        return waiter

    def release(self, slot: int) -> None:
        with self.lock:
            self.counts[slot] -= 1
        self._hand_on(slot)

    def _hand_on(self, only: int | None = None) -> None:
        """Give freed places to the requests waiting for them, first come first served."""
        for slot in [only] if only is not None else list(self.waiting):
            queue = self.waiting.get(slot)
            while queue:
                allowance, waiter = queue[0]
                if waiter.called:  # cancelled: its request was dropped while it waited (a stop)
                    queue.popleft()
                elif self._take(slot, allowance):
                    queue.popleft()
                    waiter.callback(None)
                else:
                    break
            if not queue:
                self.waiting.pop(slot, None)
        if not self.waiting and self.poll is not None and self.poll.running:
            self.poll.stop()
            self.poll = None


class HostAllowanceMiddleware:
    """At most CONCURRENT_REQUESTS_PER_DOMAIN requests in flight to a host at once across the whole
    crawl, not per crawler: thousands of small boards on one API host keep it busy up to that
    allowance, never above it. Scrapy's own per-host limit is per crawler (one per source), so
    32 sources side by side on one host would have sent it 32 times the allowance.

    Last before the download, so that pages answered from the HTTP cache take no place; a place is
    held from here until the answer (or the failure) comes back."""

    SLOT_KEY = "jobatlas_host_slot"
    # A request that only stands for others takes no place: a page rendered in the browser, each
    # of whose own requests takes one (holding a place, it would keep them waiting for ever).
    EXEMPT_KEY = "jobatlas_no_host_allowance"

    def __init__(self, crawler: Crawler) -> None:
        self.allowance = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.hosts = HostAllowance.shared()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HostAllowanceMiddleware":
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get(self.EXEMPT_KEY):
            return
        slot = HostAllowance.slot(urlparse_cached(request).netloc.lower())
        waiter = self.hosts.acquire(slot, self.allowance)
        if waiter is not None:
            await maybe_deferred_to_future(waiter)
        request.meta[self.SLOT_KEY] = slot

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        slot = request.meta.pop(self.SLOT_KEY, None)
        if slot is not None:
            self.hosts.release(slot)


class SourceCacheStorage:
    """Pages kept for conditional requests: one SQLite file per source, or part of a split source
    (`<HTTPCACHE_DIR>/<source>.sqlite`), since several crawl side by side, keyed by request fingerprint.

    SQLite rather than Scrapy's DBM storage: Python's `dbm` falls back to the pure-Python
    `dbm.dumb` where gdbm is not built in (as on this project's machines), which opened two files
    per stored page. Writes are committed every COMMIT_EVERY pages and at the end; the cache is
    only an optimisation, so a crash that loses the last few pages costs a full fetch, nothing more."""

    COMMIT_EVERY = 200

    def __init__(self, settings: BaseSettings) -> None:
        self.cache_dir = Path(data_path(settings["HTTPCACHE_DIR"], createdir=True))
        self.expiration_secs = settings.getint("HTTPCACHE_EXPIRATION_SECS")

    def open_spider(self, spider: Spider) -> None:
        name = state_name(spider.source.name, spider.settings.get("JOBATLAS_SHARD"))
        self.path, whole = self.cache_dir / f"{name}.sqlite", self.cache_dir / f"{spider.source.name}.sqlite"
        if not self.path.exists() and whole.exists():
            # A site crawled whole last time and split now: each part starts from the whole
            # site's pages, so the split costs no page fetched again.
            shutil.copyfile(whole, self.path)
        self.db: sqlite3.Connection | None = None
        self._fingerprint = spider.crawler.request_fingerprinter.fingerprint

    def _open(self, create: bool) -> sqlite3.Connection | None:
        """The source's cache, opened on first use; created only to store a page in it. Most ATS
        APIs answer without validators, so most boards never need one: a census of thousands
        of boards would otherwise create (and hold open) a file per board for nothing."""
        if self.db is None and (create or self.path.exists()):
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = OFF")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS pages (fingerprint BLOB PRIMARY KEY, stored_at REAL, url TEXT,"
                " status INTEGER, headers TEXT, body BLOB)"
            )
            self.db.execute("BEGIN")
            self.uncommitted = 0
        return self.db

    def close_spider(self, spider: Spider) -> None:
        if self.db is not None:
            self.db.execute("COMMIT")
            self.db.close()

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        db = self._open(create=False)
        if db is None:
            return None
        row = db.execute(
            "SELECT stored_at, url, status, headers, body FROM pages WHERE fingerprint = ?", (self._fingerprint(request),)
        ).fetchone()
        if row is None:
            return None
        stored_at, url, status, headers, body = row
        if 0 < self.expiration_secs < time.time() - stored_at:
            return None
        request.meta["cache_timestamp"] = stored_at
        headers = Headers(json.loads(headers))
        response_class = responsetypes.from_args(headers=headers, url=url, body=body)
        return response_class(url=url, status=status, headers=headers, body=body)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        headers = [
            (name.decode("latin-1"), [value.decode("latin-1") for value in values]) for name, values in response.headers.items()
        ]
        db = self._open(create=True)
        db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)",
            (self._fingerprint(request), time.time(), response.url, response.status, json.dumps(headers), response.body),
        )
        self.uncommitted += 1
        if self.uncommitted >= self.COMMIT_EVERY:
            db.execute("COMMIT")
            db.execute("BEGIN")
            self.uncommitted = 0
