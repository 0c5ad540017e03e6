"""Downloader middlewares and policies: waiting when asked to, and asking only for what changed."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import DbmCacheStorage, RFC2616Policy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task


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
            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
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
                address = ipaddress.ip_address(await maybe_deferred_to_future(reactor.resolve(host)))
            except Exception:  # an unresolvable host fails at download, with its own error
                return True
        return address.is_global and not address.is_multicast


class SourceCacheStorage(DbmCacheStorage):
    """Scrapy's DBM cache storage (one key-value file: about 0.3 ms to keep a page, where the
    filesystem storage's six files take 7 ms), with one file per source rather than per spider
    class, since several sources of one kind crawl side by side in one process."""

    def open_spider(self, spider: Spider) -> None:
        self.db = self.dbmodule.open(str(Path(self.cachedir, f"{spider.source.name}.db")), "c")
        self._fingerprinter = spider.crawler.request_fingerprinter
