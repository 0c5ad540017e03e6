"""JOIN (join.com) company boards, read through the public JSON the board pages use.

A company's board is `https://join.com/companies/{slug}` (postings at `/companies/{slug}/{id}-
{title-slug}`). Its Next.js `<script id="__NEXT_DATA__">` holds `props.pageProps.initialState
.company` {id (number), name, domain (the slug)}; a gone company answers 404, or a page whose
`props.pageProps.statusCode` is 404/410. The numeric id names the listing:

`GET https://join.com/api/public/companies/{id}/jobs?locale=en&page={1..}&pageSize=5` →
`{"items": [...], "pagination": {"rowCount", "pageCount"}}` (open-source readers of 2026 saw
larger page sizes refused as "pageSize: Invalid value", so 5 it is). An item: `id` (number),
`idParam` ("{id}-{title-slug}"), `title`, `createdAt`, `workplaceType` (ONSITE, HYBRID,
REMOTE), `city` {cityName, regionName, countryName}, `employmentType` {name}, `category` {name},
`salaryAmountFrom`/`salaryAmountTo` {amount in minor units (cents), currency}, `salaryFrequency`
(PER_YEAR, PER_MONTH, PER_HOUR). The listing has no text: each job's
`GET /api/public/jobs/{id}?locale=en` gives `description` (Markdown), or the sections `intro`,
`tasks`, `requirements`, `benefits`, `outro`. No language field was seen in the evidence, so
none is stated.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, Page, count, dig, number

HOST = "join.com"
NEXT_DATA = re.compile(rb"<script[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>(.*?)</script>", re.S | re.I)
API_LISTING = re.compile(r"/api/public/companies/\d+/jobs")
SECTIONS = ("intro", "tasks", "requirements", "benefits", "outro")
PERIODS = {"PER_YEAR": "YEAR", "PER_MONTH": "MONTH", "PER_WEEK": "WEEK", "PER_DAY": "DAY", "PER_HOUR": "HOUR"}


def listing_url(board_url: str) -> str | None:
    """The company's board page for a URL as users paste it (`join.com/companies/acme`, or a
    posting under it), or None when it names no company; its page gives the numeric id."""
    board = board_from_url(board_url, "join")
    return board.url if board else None


class JoinSpider(JsonBoardSpider):
    name = "join"
    api_hosts = frozenset({HOST})
    jobs_at = ("items",)
    total_at = ("pagination", "rowCount")
    page_size = 5
    headers = {"Accept": "application/json"}
    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url and API_LISTING.match(urlsplit(url).path):  # an endpoint naming the listing itself
            yield self.first_listing(url)
        elif url:
            yield scrapy.Request(url, callback=self.parse_board, errback=self.on_error)

    def parse_board(self, response: Response) -> Iterator[scrapy.Request]:
        """The board page: the company's numeric id, then its listing on the page's host."""
        found = NEXT_DATA.search(response.body)
        try:
            props = json.loads(found.group(1)).get("props") if found else None
        except ValueError as error:
            self.problem("bad_json", response.url, f"invalid __NEXT_DATA__ JSON: {error}"[:300])
            return
        if not isinstance(props, dict):
            self.problem("bad_json", response.url, "no __NEXT_DATA__ props on the board page")
            return
        status = count(dig(props, ("pageProps", "statusCode")))
        if status in (404, 410):  # JOIN's soft 404: a 200 error page for a gone company
            self.problem(f"http_{status}", response.url, "the board page says the company is gone")
            return
        self.count_page()
        company_id = count(dig(props, ("pageProps", "initialState", "company", "id")))
        if company_id is None:
            self.problem("bad_json", response.url, "no company id in the board page's __NEXT_DATA__")
            return
        api = urljoin(response.url, f"/api/public/companies/{company_id}/jobs?locale=en")
        yield self.first_listing(api)

    def page_params(self, page: Page) -> dict[str, str]:
        return {"page": str(page.number + 1), "pageSize": str(self.page_size)}

    def detail_url(self, job: dict[str, Any]) -> str | None:
        job_id = text_of(job.get("id"))
        return urljoin(self.api_url() or "", f"/api/public/jobs/{job_id}?locale=en") if job_id else None

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        # The listing's fields win: the detail's `city` and `country` take other shapes.
        return {**detail, **job, "description": detail.get("description"), **{s: detail.get(s) for s in SECTIONS}}

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One JOIN job (listing item with its detail) as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        board = board_from_url(self.source.url, "join")
        slug = board.name if board else text_of(dig(job, ("company", "domain")))
        id_param = text_of(job.get("idParam")) or job_id
        workplace = text_of(job.get("workplaceType"))
        text = text_of(job.get("description")) or "\n\n".join(filter(None, (text_of(job.get(s)) for s in SECTIONS)))
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=f"https://{HOST}/companies/{slug}/{id_param}" if slug else self.source.url,
            title=text_of(job.get("title")),
            department=text_of(job.get("category")),
            description_html=text or None,
            locations=_locations(job, remote=(workplace or "").upper() == "REMOTE"),
            employment_type_raw=text_of(job.get("employmentType")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("createdAt")),
            salary_raw=_salary(job),
        )


def _locations(job: dict[str, Any], remote: bool) -> list[RawLocation]:
    city = job.get("city") if isinstance(job.get("city"), dict) else {}
    name, region = text_of(city.get("cityName")), text_of(city.get("regionName"))
    country = text_of(city.get("countryName")) or text_of(job.get("country")) or text_of(job.get("countryCode"))
    raw = ", ".join(filter(None, (name, region, country)))
    return [RawLocation(raw=raw, city=name, region=region, country=country, remote=remote)] if raw else []


def _salary(job: dict[str, Any]) -> dict[str, Any] | None:
    """The pay range; JOIN gives amounts in minor units (cents)."""
    low, high = (job.get(end) if isinstance(job.get(end), dict) else {} for end in ("salaryAmountFrom", "salaryAmountTo"))
    amounts = [_major(part.get("amount")) for part in (low, high)]
    currency = text_of(low.get("currency")) or text_of(high.get("currency"))
    period = text_of(job.get("salaryFrequency"))
    return monetary_amount(*amounts, currency, PERIODS.get(period or "", period))


def _major(amount: Any) -> float | None:
    minor = number(amount)
    return minor / 100 if minor is not None else None
