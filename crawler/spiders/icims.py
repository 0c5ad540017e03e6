"""iCIMS career portals, read as HTML: the portal's search pages, then each job's page.

Each company has a portal host, `https://careers-{company}.icims.com/` (also `jobs-`, `career-`
and other prefixes, or a company's own domain). Its search, asked for the bare page that the
portal otherwise frames (`in_iframe=1`), is rendered server-side: `GET /jobs/search?ss=1&
in_iframe=1&pr={n}` with `pr` the page number from 0 (about 20-50 jobs a page; past the end a
portal repeats its last page or lists none). Each result is a `.iCIMS_JobsTable .row` whose
`a.iCIMS_Anchor` links to the job, `/jobs/{id}/{slug}/job` (absolute, often `?in_iframe=1`),
beside a location header ("US-TX-Austin") and an `iCIMS_JobHeaderGroup` of labelled fields.
Pages are read until one brings no job link not seen before.

Each job page `/jobs/{id}/{slug}/job?in_iframe=1` carries schema.org JobPosting JSON-LD (title,
description, datePosted, validThrough, employmentType, hiringOrganization, jobLocation
addresses, sometimes baseSalary), mapped as any JobPosting; the job id in the link is the key.
iCIMS states no language; the page's own `<html lang>` is kept as a declared one. The listing's
row fields are not used: the JSON-LD has them. Evidence: open-source iCIMS scrapers (the
`in_iframe`/`pr` search, the `.iCIMS_JobsTable` rows and `iCIMS_Anchor` links, JSON-LD on job
pages); no iCIMS documentation of this public side exists.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from w3lib.url import add_or_replace_parameters, url_query_cleaner

from crawler.extract import declared_language, extract_job_postings, to_item
from crawler.items import JobPosting
from crawler.sources import board_from_url
from crawler.spiders.base import SourceSpider

_JOB_PATH = re.compile(r"^/jobs/(\d+)/[^/]+/job/?$")
_ICIMS_PAGE = re.compile(rb"iCIMS_", re.IGNORECASE)


def listing_url(board_url: str) -> str | None:
    """The first search page for a portal URL as users paste it (the portal, its search, a job
    page), or None when it names no portal."""
    board = board_from_url(board_url, "icims")
    return f"{board.scheme}://{board.netloc}/jobs/search?ss=1&in_iframe=1&pr=0" if board else None


def job_links(response: TextResponse) -> dict[str, str]:
    """{job id: its page URL (beside the response, framed-page form)} of a search page, in order."""
    links: dict[str, str] = {}
    for href in response.css(".iCIMS_JobsTable a::attr(href), a.iCIMS_Anchor::attr(href)").getall():
        path = urlsplit(href.strip()).path
        found = _JOB_PATH.match(path)
        if found:  # the path only: a test server or mirror answers for the portal's host
            links.setdefault(found.group(1), urljoin(response.url, f"{path}?in_iframe=1"))
    return links


class IcimsSpider(SourceSpider):
    name = "icims"

    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield self._search(url, 0, set())

    def _search(self, url: str, page: int, seen: set[str]) -> scrapy.Request:
        return scrapy.Request(add_or_replace_parameters(url, {"pr": str(page)}), callback=self.parse_search,
                              errback=self.on_error, cb_kwargs={"url": url, "page": page, "seen": seen})

    def parse_search(self, response: Response, url: str, page: int, seen: set[str]) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse) or not _ICIMS_PAGE.search(response.body):
            self.problem("bad_posting", response.url, "not an iCIMS search page")
            return
        self.count_page()
        fresh = {job_id: link for job_id, link in job_links(response).items() if job_id not in seen}
        seen.update(fresh)
        for job_id, link in fresh.items():
            yield scrapy.Request(link, callback=self.parse_job, errback=self.on_error, cb_kwargs={"job_id": job_id})
        if fresh:  # a page past the end lists nothing new (none, or the last page again)
            yield self._search(url, page + 1, seen)

    def parse_job(self, response: Response, job_id: str) -> Iterator[JobPosting]:
        nodes = extract_job_postings(response.selector, response.url).postings if isinstance(response, TextResponse) else []
        self.count_page()
        if not nodes:
            self.problem("bad_posting", response.url, "no schema.org JobPosting on the job page")
            return
        yield self.job_posting(nodes[0], job_id, response)

    def job_posting(self, node: dict[str, Any], job_id: str, response: TextResponse) -> JobPosting:
        """A job page's JobPosting as an item keyed by the iCIMS job id."""
        page = url_query_cleaner(response.url, ["in_iframe"], remove=True)  # the portal's own view of the job
        item = to_item(node, source=self.source.name, page_url=page, company=self.source.company,
                       declared=declared_language(response.selector, response.url, {}))
        item.key = item.external_id = job_id
        item.ats, item.translation_key = self.name, None
        return item
