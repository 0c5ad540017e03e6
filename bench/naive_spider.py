"""The naive reference pipeline of bench/throughput.py, kept as the baseline jobatlas is measured
against: Scrapy + parsel, langdetect on the full description, and one sqlite-utils insert with
its own commit per posting. Run by `scrapy runspider` with -a start=URL -a db=FILE."""

from __future__ import annotations

import json
from typing import Any, Iterator

import scrapy
import sqlite_utils
from langdetect import DetectorFactory, detect
from parsel import Selector

DetectorFactory.seed = 0


class NaiveSpider(scrapy.Spider):
    name = "naive"
    custom_settings = {"ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}

    def __init__(self, start: str, db: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start
        self.db = sqlite_utils.Database(db)

    async def start(self) -> Any:
        yield scrapy.Request(self.start_url)

    def parse(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        for block in response.xpath('//script[@type="application/ld+json"]/text()').getall():
            data = json.loads(block)
            if data.get("@type") == "JobPosting":
                self.store(response.url, data)
        for href in response.css("a::attr(href)").getall():
            if "/jobs/" in href:
                yield response.follow(href)

    def store(self, url: str, data: dict[str, Any]) -> None:
        text = " ".join(Selector(text=data.get("description") or "<p></p>").xpath("//text()").getall())
        locations = data.get("jobLocation") or []
        with self.db.conn:  # one transaction, one commit, per posting
            self.db["jobs"].insert(
                {
                    "url": url,
                    "title": data.get("title"),
                    "description": text,
                    "language": detect(text),
                    "countries": json.dumps([place["address"].get("addressCountry") for place in locations]),
                },
                alter=True,
            )
