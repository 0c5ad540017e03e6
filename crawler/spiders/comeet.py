"""Comeet career pages, read through the Careers API with the token their page carries.

A board is `https://www.comeet.com/jobs/{slug}/{uid}`, the company's uid being two hex digits, a
dot and three more (`57.001`, `99.00C`); postings are at `.../{title-slug}/{position uid}`. The
board page's HTML holds `"company_uid":"57.001","token":"<hex>"`, which opens the API:

    GET https://www.comeet.co/careers-api/2.0/company/{uid}/positions?token={token}&details=true

(`www.comeet.com` answers too). The answer is a bare array, unpaged, of positions with `uid`,
`name` (title), `department`, `company_name`, `employment_type` ("Full-time"), `experience_level`,
`location` {name, city, country (ISO code), is_remote}, `time_updated` (ISO; Comeet states no
publication date), `url_active_page` (the posting on the company's own careers page, if set),
`url_comeet_hosted_page`, and with `details=true` `details` [{name: "Description" / "Requirements"
/ ..., value: HTML}]. Comeet says nothing of a posting's language, nor of pay.

The first request is the board page (the source's `endpoint` instead, when given: then the API
is asked on that page's own host, so that a mirror or a test server serves both).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, dicts

API_ORIGIN = "https://www.comeet.co"
TOKEN = re.compile(r'"company_uid"\s*:\s*"([0-9A-Fa-f]{2}\.[0-9A-Fa-f]{3})"\s*,\s*"token"\s*:\s*"([A-Za-z0-9]+)"')


def board_page_url(board_url: str) -> str | None:
    """The board page for a URL as users paste it (the board, or a posting under it), or None
    when it names no board."""
    board = board_from_url(board_url, "comeet")
    return board.url if board else None


def positions_url(api_origin: str, company_uid: str, token: str) -> str:
    return f"{api_origin}/careers-api/2.0/company/{company_uid}/positions?token={token}&details=true"


class ComeetSpider(JsonBoardSpider):
    name = "comeet"
    api_hosts = frozenset({"www.comeet.co", "www.comeet.com"})
    id_field = ("uid",)

    derive_api_url = staticmethod(board_page_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield scrapy.Request(url, callback=self.parse_board, errback=self.on_error)

    def parse_board(self, response: Response) -> Iterator[scrapy.Request]:
        """The board page: its company uid and token, then the positions."""
        match = TOKEN.search(response.text[:2_000_000]) if hasattr(response, "text") else None
        if match is None:
            self.problem("bad_json", response.url, "no company_uid and token on the board page")
            return
        # Not counted as a page read: it only opens the API, and a board whose positions
        # cannot be read has failed as a whole.
        parts = urlsplit(response.url)
        api_origin = f"{parts.scheme}://{parts.netloc}" if self.source.endpoint else API_ORIGIN
        yield self.first_listing(positions_url(api_origin, *match.groups()))

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Comeet position as a JobPosting; None when it has no uid."""
        job_id = text_of(job.get("uid"))
        if job_id is None:
            return None
        place = job.get("location") if isinstance(job.get("location"), dict) else {}
        remote = place.get("is_remote") is True
        city, country = text_of(place.get("city")), text_of(place.get("country"))
        raw = text_of(place.get("name")) or ", ".join(part for part in (city, country) if part)
        hosted = text_of(job.get("url_comeet_hosted_page"))
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=text_of(job.get("url_active_page")) or hosted or self.source.url,
            apply_url=hosted,
            title=text_of(job.get("name")),
            company=text_of(job.get("company_name")) or self.source.company,
            department=text_of(job.get("department")),
            description_html=_description(job.get("details")),
            locations=[RawLocation(raw=raw, city=city, country=country, remote=remote)] if raw else [],
            employment_type_raw=text_of(job.get("employment_type")),
            workplace_raw="remote" if remote else None,
            date_posted_raw=text_of(job.get("time_updated")),
        )


def _description(details: Any) -> str | None:
    """The position's sections, each under the name the company gave it."""
    parts = []
    for section in dicts(details):
        html, name = text_of(section.get("value")), text_of(section.get("name"))
        if html:
            parts.append(f"<h3>{name}</h3>{html}" if name else html)
    return "\n".join(parts) or None
