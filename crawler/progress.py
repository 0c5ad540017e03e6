"""A progress line per source on stderr while a crawl runs, so a person at a terminal sees it move."""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.report import error_count
from crawler.settings import state_name


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.last_line = ""
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "Progress":
        interval = crawler.settings.getfloat("JOBATLAS_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: object) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: object) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()

    def report(self) -> None:
        stats = self.crawler.stats.get_stats()
        line = (
            f"[{state_name(self.crawler.spider.source.name, self.crawler.settings.get('JOBATLAS_SHARD'))}] pages {stats.get('jobatlas/pages', 0)}"
            f" · postings {stats.get('item_scraped_count', 0)}"
            f" · errors {error_count(stats)}"
        )
        if line != self.last_line:
            print(line, file=sys.stderr, flush=True)
            self.last_line = line
