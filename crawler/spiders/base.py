"""What every jobatlas spider shares: its source, the hosts it may visit, and how it reports
failed requests and unreadable bodies."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import JobPosting
from crawler.report import classify_failure, record_problem
from crawler.sources import Source, SourcesError, load_sources, select_sources


class SourceSpider(scrapy.Spider):
    """A spider crawling one source. Subclasses set `name` (the source kind) and `api_hosts`
    (the ATS's API hosts, allowed besides the source's own)."""

    api_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, source: Source | str, **kwargs: Any) -> "SourceSpider":
        """`source` is a Source, or - from `scrapy crawl` and Scrapyd, whose spider arguments are
        strings - the name of one in the sources file (`-a sources=FILE`, else JOBATLAS_SOURCES)."""
        if isinstance(source, str):
            sources_file = kwargs.pop("sources", None) or crawler.settings.get("JOBATLAS_SOURCES")
            source = select_sources(load_sources(sources_file), [source])[0]
            if source.kind != cls.name:
                raise SourcesError(f"source {source.name!r} is a {source.kind} source, not {cls.name}")
        return super().from_crawler(crawler, *args, source=source, **kwargs)

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.hosts = source.hosts | set(self.api_hosts)
        # Keys of postings whose own page answered 404 / 410: the store closes them.
        self.gone_keys: set[str] = set()

    # -- requests ----------------------------------------------------------------------------

    @staticmethod
    def derive_api_url(board_url: str) -> str | None:
        """The ATS API URL for a board URL as users paste it; None when it names no board."""
        return None

    def api_url(self) -> str | None:
        """Where the spider starts: the source's `endpoint` as given (a mirror, a test server),
        else the URL derived from its board URL; None, reported, when that names no board."""
        url = self.source.endpoint or self.derive_api_url(self.source.url)
        if url is None:
            self.problem("bad_source_url", self.source.url, f"no {self.name} board named in this URL")
        return url

    def on_source_host(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() in self.hosts

    def on_error(self, failure: Failure) -> None:
        kind, detail = classify_failure(failure)
        self.problem(kind, failure.request.url, detail)

    def ignore_error(self, failure: Failure) -> None:
        self.logger.debug("optional request failed: %s", failure.request.url)

    # -- reporting ---------------------------------------------------------------------------

    def problem(self, kind: str, url: str, detail: str = "") -> None:
        record_problem(self.crawler.stats, kind, url, detail)

    def count_page(self) -> None:
        self.crawler.stats.inc_value("jobatlas/pages")

    def json_body(self, response: Response) -> Any:
        """The response's JSON, or None after reporting `bad_json` with the reason."""
        try:
            return json.loads(response.body)
        except ValueError as error:
            self.problem("bad_json", response.url, f"invalid JSON: {error}"[:300])
            return None

    def json_list(self, response: Response, key: str) -> tuple[dict[str, Any], list[Any]] | None:
        """(the JSON object, its `key` list), or None after reporting `bad_json`."""
        data = self.json_body(response)
        if data is None:
            return None
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list):
            self.problem("bad_json", response.url, f'expected an object with a "{key}" list')
            return None
        return data, items

    @staticmethod
    def cookies_set_by(response: Response) -> dict[str, str]:
        """The cookies an answer sets, by name. Cookies are off in the crawl (a board is read
        fresh each time); the few APIs that tie a request to a session get them sent by hand."""
        pairs = (header.decode("latin-1").split(";")[0].partition("=") for header in response.headers.getlist("Set-Cookie"))
        return {name.strip(): value.strip() for name, _, value in pairs if name.strip()}

    def posting(self, **fields: Any) -> JobPosting:
        """A JobPosting of this source, with its ATS, and its company unless the ATS names one."""
        fields["company"] = fields.get("company") or self.source.company
        return JobPosting(source=self.source.name, ats=self.name, **fields)


def monetary_amount(
    low: float | str | None, high: float | str | None, currency: str | None, period: str | None
) -> dict[str, Any] | None:
    """An ATS's pay range as a schema.org MonetaryAmount, the one shape the normalize step reads.
    `period` is HOUR / DAY / WEEK / MONTH / YEAR or a spelling of them ("yearly", "per_month")."""
    if low is None and high is None:
        return None
    return {
        "@type": "MonetaryAmount",
        "currency": currency,
        "value": {"@type": "QuantitativeValue", "minValue": low, "maxValue": high, "unitText": period},
    }
