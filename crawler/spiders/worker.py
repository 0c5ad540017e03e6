"""`jobatlas worker` as a Scrapyd job: `spider=worker` with `redis=URL` (and optionally
`data=DIR`, `wait=SECONDS`). Inside the job's own crawl, it takes the sources a coordinator
(`jobatlas crawl --redis URL`) shares out and crawls each with its own crawler, as a worker
process does, until the coordinator's crawl is over; then the job ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawler import distributed


class WorkerSpider(scrapy.Spider):
    name = "worker"
    # This crawl reads nothing itself: the crawlers it starts carry the pipelines and progress lines.
    custom_settings = {"ITEM_PIPELINES": {}, "EXTENSIONS": {"crawler.progress.Progress": None}}

    def __init__(self, redis: str, data: str = "data/worker", wait: str = "60", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.redis_url, self.data_dir, self.wait = redis, data, float(wait)
        self.worker: distributed.Worker | None = None
        self.over = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.keep_open, signal=signals.spider_idle)
        crawler.signals.connect(spider.leave, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        client = distributed.connect(self.redis_url)
        # Waiting blocks: in a thread, so that the job's own crawl goes on meanwhile.
        await maybe_deferred_to_future(deferToThread(distributed.wait_for_coordinator, client, self.redis_url, self.wait))
        crawlers = CrawlerRunner(distributed.worker_settings(self.settings, self.redis_url, self.data_dir))
        self.worker = distributed.Worker(client, crawlers, self.crawl_over)
        return
        yield  # an asynchronous generator that makes no request of its own

    def crawl_over(self) -> None:
        self.over = True

    def keep_open(self) -> None:
        if not self.over:
            raise DontCloseSpider

    def leave(self) -> None:
        if self.worker is not None:
            self.worker.leave()
