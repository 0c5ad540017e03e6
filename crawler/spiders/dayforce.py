"""Dayforce (Ceridian) job boards, read through the search API their own pages call.

A board is `https://jobs.dayforcehcm.com/[{lang}/]{namespace}/{board}` (a job at `.../jobs/{id}`;
the board code is often `CANDIDATEPORTAL`). The page is a Next.js app whose search is
`POST /api/geo/{namespace}/jobposting/search` with `{"clientNamespace", "jobBoardCode",
"cultureCode": "en-US", "distanceUnit": 0, "paginationStart": offset}`, 25 a page, guarded by
NextAuth: the `csrfToken` of `GET /api/auth/csrf` goes in `X-CSRF-TOKEN`, with the cookie that
answer sets. The answer is `{"jobPostings": [...], "maxCount", "offset", "count"}`; a posting has
`jobPostingId`, `jobReqId`, `jobTitle`, `jobDescription` (HTML, in full), `hasVirtualLocation`,
`postingStartTimestampUTC`, `postingExpiryTimestampUTC` and `postingLocations`
[{formattedAddress, cityName, stateCode, isoCountryCode}]. No pay, type or language is stated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import JsonRequest, Response

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, dicts

HOST = "jobs.dayforcehcm.com"
PAGE_SIZE = 25  # fixed by Dayforce


def listing_url(board_url: str) -> str | None:
    """The search API of a board URL as users paste it (the board, a job on it), or None."""
    board = board_from_url(board_url, "dayforce")
    return f"https://{HOST}/api/geo/{board.name.split('/')[0]}/jobposting/search" if board else None


class DayforceSpider(JsonBoardSpider):
    name = "dayforce"
    jobs_at = ("jobPostings",)
    total_at = ("maxCount",)
    page_size = PAGE_SIZE
    id_field = ("jobPostingId",)

    derive_api_url = staticmethod(listing_url)
    guard: dict[str, str] = {}  # the CSRF token and its cookie, once asked for

    @property
    def namespace_and_board(self) -> tuple[str, str]:
        board = board_from_url(self.source.url, "dayforce")
        namespace, _, code = (board.name if board else "/").partition("/")
        return namespace, code

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:  # first the CSRF token the search asks for, from the app the search is part of
            yield scrapy.Request(f"{url.split('/api/geo/')[0]}/api/auth/csrf", callback=self.parse_guard,
                                 errback=self.on_error, cb_kwargs={"url": url})

    def parse_guard(self, response: Response, url: str) -> Iterator[scrapy.Request]:
        answer = self.json_body(response)
        token = text_of(answer.get("csrfToken")) if isinstance(answer, dict) else None
        if answer is not None and token is None:
            self.problem("bad_json", response.url, "no csrfToken in the answer")
        if token is None:
            return
        cookies = "; ".join(f"{name}={value}" for name, value in self.cookies_set_by(response).items())
        self.guard = {"X-CSRF-TOKEN": token, **({"Cookie": cookies} if cookies else {})}
        yield self.first_listing(url)

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        namespace, code = self.namespace_and_board
        query = {"clientNamespace": namespace, "jobBoardCode": code, "cultureCode": "en-US", "distanceUnit": 0, "paginationStart": page.offset}
        return JsonRequest(url, data=query, headers=self.guard)

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Dayforce posting as a JobPosting; None without an id."""
        job_id = self.job_id(job)
        if job_id is None:
            return None
        namespace, code = self.namespace_and_board
        places = [place for place in map(_place, dicts(job.get("postingLocations"))) if place.raw]
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=f"https://{HOST}/en-US/{namespace}/{code}/jobs/{job_id}",
            title=text_of(job.get("jobTitle")),
            description_html=text_of(job.get("jobDescription")),
            locations=places,
            # A virtual location with no office is a remote job; beside offices it says too little.
            workplace_raw="remote" if job.get("hasVirtualLocation") is True and not places else None,
            date_posted_raw=text_of(job.get("postingStartTimestampUTC")),
            valid_through_raw=text_of(job.get("postingExpiryTimestampUTC")),
        )


def _place(location: dict[str, Any]) -> RawLocation:
    city, region, country = (text_of(location.get(key)) for key in ("cityName", "stateCode", "isoCountryCode"))
    raw = text_of(location.get("formattedAddress")) or ", ".join(part for part in (city, region, country) if part)
    return RawLocation(raw=raw, city=city, region=region, country=country)
