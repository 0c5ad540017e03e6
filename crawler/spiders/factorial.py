"""Factorial career sites, read as HTML: the site's one listing page, then each job's page.

Each company has a site, `https://{company}.factorialhr.com/` (regional hosts `factorial.es`,
`.fr`, `.it`, `.de`, `.pt`, `.co.uk`, or the company's own domain), rendered server-side; Factorial
has no public JSON for it. The root page lists every open job as an `<li data-controller=
'job-postings'>` carrying `data-job-postings-url` (`/job_posting/{slug}-{id}`), `data-is-remote`,
`data-location-id`, `data-team-id` and `data-contract-type` (indefinite, temporary, internship...);
the names of locations and teams are the options of the page's `#location_filter` and
`#team_filter` selects, the title the item's first bold `<div>`. A job page has the description
in `<div class='styledText'>`, the title in `<h1>`, and the site's language in `<html lang>`.
Factorial states no date, salary or language of its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.extract import declared_language
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import SourceSpider

_JOB_ID = re.compile(r"/job_posting/(?:[^/]*?-)?(\d+)/?$")
_FACTORIAL_PAGE = re.compile(rb"job-postings|factorialhr|factorial\.(es|fr|it|de|pt|co\.uk)", re.IGNORECASE)


def listing_url(board_url: str) -> str | None:
    """The listing page of a site URL as users paste it (the site, a job page), or None."""
    board = board_from_url(board_url, "factorial")
    return f"{board.scheme}://{board.netloc}/" if board else None


def listed_jobs(response: TextResponse) -> dict[str, dict[str, Any]]:
    """{job id: what the listing says of it} in the page's order, links made beside the response
    (a test server or mirror answers for the site's host)."""
    names = {select: {option.attrib.get("value"): " ".join(option.css("::text").getall()).strip()
                      for option in response.css(f"#{select} option")} for select in ("location_filter", "team_filter")}
    jobs: dict[str, dict[str, Any]] = {}
    for item in response.css("[data-controller~='job-postings']"):
        path = urlsplit(item.attrib.get("data-job-postings-url", "")).path
        found = _JOB_ID.search(path)
        if found:
            jobs.setdefault(found.group(1), {
                "url": urljoin(response.url, path),
                "title": " ".join(item.css("div.font-bold ::text, div b ::text, div strong ::text").getall()[:1]).strip() or None,
                "remote": item.attrib.get("data-is-remote") == "true",
                "location": names["location_filter"].get(item.attrib.get("data-location-id")) or None,
                "team": names["team_filter"].get(item.attrib.get("data-team-id")) or None,
                "contract": item.attrib.get("data-contract-type") or None,
            })
    return jobs


class FactorialSpider(SourceSpider):
    name = "factorial"

    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse) or not _FACTORIAL_PAGE.search(response.body):
            self.problem("bad_posting", response.url, "not a Factorial career site page")
            return
        self.count_page()
        for job_id, job in listed_jobs(response).items():
            yield scrapy.Request(job["url"], callback=self.parse_job, errback=self.on_error, cb_kwargs={"job_id": job_id, "job": job})

    def parse_job(self, response: Response, job_id: str, job: dict[str, Any]) -> Iterator[JobPosting]:
        if not isinstance(response, TextResponse):
            self.problem("bad_posting", response.url, "a job page that is not HTML")
            return
        self.count_page()
        description = response.css(".styledText").get()
        if description is None:
            self.problem("bad_posting", response.url, "no description on the job page")
        board = board_from_url(self.source.url, "factorial")
        path = urlsplit(job["url"]).path
        yield self.posting(
            key=job_id,
            external_id=job_id,
            url=f"{board.origin}{path}" if board else job["url"],
            apply_url=f"{board.origin}{path.replace('/job_posting/', '/apply/')}" if board else None,
            title=" ".join(response.css("h1 ::text").getall()).strip() or job["title"],
            department=job["team"],
            description_html=description,
            locations=[RawLocation(raw=job["location"], remote=job["remote"])] if job["location"] else [],
            employment_type_raw=job["contract"],
            workplace_raw="remote" if job["remote"] else None,
            declared_language=declared_language(response.selector, response.url, {}),
        )
