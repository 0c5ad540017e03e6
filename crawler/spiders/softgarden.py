"""Softgarden career sites, read through the schema.org job feed each site publishes.

Each company has a site: `https://{slug}.career.softgarden.de/` (the current default), the legacy
`https://{slug}.softgarden.io/` (postings at `/job/{id}?l=en`), or its own domain. One request
per site, unpaged: `GET {site}/jobs.feed.json` answers a schema.org DataFeed `{"@type":
"DataFeed", "name": "Active job ads", "dateModified", "numberOfItems", "dataFeedElement":
[{"@type": "DataFeedItem", "dateModified", "item": JobPosting}]}`.

Each item is a schema.org JobPosting: `title`, `url` (`{site}/jobs/{id}/{title-slug}/`),
`identifier` {name, value: the numeric id}, `description` (HTML), `employmentType`
(FULL_TIME...), `datePosted`, `validThrough`, `jobLocationType`, `hiringOrganization` {name},
`jobLocation` (one place or a list) {address {addressLocality, addressRegion, postalCode,
addressCountry}}, sometimes `baseSalary`. The feed has no department and states no language.
Legacy (Wicket) sites answer 404 for the feed.
"""

from __future__ import annotations

from typing import Any

from crawler.extract import text_of, to_item
from crawler.items import JobPosting
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider


def listing_url(board_url: str) -> str | None:
    """The feed URL for a career site URL as users paste it (`acme.career.softgarden.de`,
    `acme.softgarden.io/job/123`, or the company's own domain), or None when it names no site."""
    board = board_from_url(board_url, "softgarden")
    return f"{board.origin}/jobs.feed.json" if board else None


def feed_job(element: dict[str, Any]) -> dict[str, Any] | None:
    """The JobPosting of one feed element (a DataFeedItem's `item`, or the posting itself)."""
    item = element.get("item")
    if isinstance(item, dict):
        return item
    return element if text_of(element.get("@type")) == "JobPosting" else None


def identifier(job: dict[str, Any]) -> str | None:
    """The posting's id: `identifier.value` (its `name` is the scheme, often the company)."""
    value = job.get("identifier")
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("value") if value.get("value") is not None else value.get("@value")
    return text_of(value)


class SoftgardenSpider(JsonBoardSpider):
    name = "softgarden"
    jobs_at = ("dataFeedElement",)

    derive_api_url = staticmethod(listing_url)

    def job_id(self, job: dict[str, Any]) -> str | None:
        posting = feed_job(job)
        return (identifier(posting) or text_of(posting.get("url"))) if posting else None

    def job_posting(self, element: dict[str, Any]) -> JobPosting | None:
        """One feed element as a JobPosting; None when it holds no posting with an id or URL."""
        job = feed_job(element)
        if job is None:
            return None
        job_id, url = identifier(job), text_of(job.get("url"))
        if not (job_id or url):
            return None
        page = url or self.source.url
        item = to_item(job, source=self.source.name, page_url=page, company=self.source.company)
        item.key = job_id or page
        item.ats = self.name
        return item
