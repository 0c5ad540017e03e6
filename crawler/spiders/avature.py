"""Avature career sites, read as HTML: the portal's search pages, then each job's page.

A portal is `https://{company}.avature.net/[{locale}/]{portal}` (`careers` mostly; `en_US/careers`,
`externalcareers`...), or the same on the company's own domain. Its search is rendered
server-side: `GET {portal}/SearchJobs/?jobOffset={n}&jobRecordsPerPage={size}`, each job a link
`{portal}/JobDetail/{slug}/{id}` (the slug is cosmetic). Tenants ignore or cap the size asked for,
so the offset advances by the links a page brought, and pages are read until one brings no job not
seen before. A job page carries schema.org JobPosting JSON-LD on many tenants, mapped as any
JobPosting; else its title (`<h2 class="banner__text__title">` or `<h1>`) and the
`article__content` blocks are read. Avature states no language; `<html lang>` (or the locale in
the path) is kept as a declared one.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from w3lib.url import add_or_replace_parameters

from crawler.extract import declared_language, extract_job_postings, to_item
from crawler.items import JobPosting
from crawler.sources import board_from_url
from crawler.spiders.base import SourceSpider

PAGE_SIZE = 50
_JOB = re.compile(r"/JobDetail/(?:[^/?#]*/)?(\d+)")


def listing_url(board_url: str) -> str | None:
    """The first search page of a portal URL as users paste it (the portal, its search, a job),
    or None when it names no portal."""
    board = board_from_url(board_url, "avature")
    return f"{board.origin}/{board.name}/SearchJobs/?jobOffset=0&jobRecordsPerPage={PAGE_SIZE}" if board else None


class AvatureSpider(SourceSpider):
    name = "avature"

    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield self._search(url, 0, set())

    def _search(self, url: str, offset: int, seen: set[str]) -> scrapy.Request:
        return scrapy.Request(add_or_replace_parameters(url, {"jobOffset": str(offset)}), callback=self.parse_search,
                              errback=self.on_error, cb_kwargs={"url": url, "offset": offset, "seen": seen})

    def parse_search(self, response: Response, url: str, offset: int, seen: set[str]) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse) or b"SearchJobs" not in response.body and b"JobDetail" not in response.body:
            self.problem("bad_posting", response.url, "not an Avature search page")
            return
        self.count_page()
        # The path only: a mirror or test server answers for the portal's host.
        links = {found.group(1): urljoin(response.url, urlsplit(href).path) for href in response.css("a::attr(href)").getall()
                 if (found := _JOB.search(href))}
        fresh = {job_id: link for job_id, link in links.items() if job_id not in seen}
        seen.update(fresh)
        for job_id, link in fresh.items():
            yield scrapy.Request(link, callback=self.parse_job, errback=self.on_error, cb_kwargs={"job_id": job_id})
        if fresh:  # past the end a portal lists nothing, or its last page again
            yield self._search(url, offset + len(links), seen)

    def parse_job(self, response: Response, job_id: str) -> Iterator[JobPosting]:
        if not isinstance(response, TextResponse):
            self.problem("bad_posting", response.url, "a job page that is not HTML")
            return
        self.count_page()
        board = board_from_url(self.source.url, "avature")
        own_url = f"{board.origin}{urlsplit(response.url).path}" if board else response.url  # on the portal's host
        declared = declared_language(response.selector, own_url, {}) or declared_language(response.selector, response.url, {})
        nodes = extract_job_postings(response.selector, response.url).postings
        if nodes:
            item = to_item(nodes[0], source=self.source.name, page_url=own_url, company=self.source.company, declared=declared)
            item.ats, item.translation_key = self.name, None
        else:
            text = "\n".join(response.css(".article__content, .job-description").getall()) or None
            title = " ".join(response.css(".banner__text__title ::text, h1 ::text").getall()[:1]).strip() or None
            if text is None:
                self.problem("bad_posting", response.url, "no JobPosting and no text on the job page")
                return
            item = self.posting(key=job_id, url=own_url, title=title, description_html=text, declared_language=declared)
        item.key = item.external_id = job_id
        yield item
