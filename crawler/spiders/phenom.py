"""Phenom career sites, read through the widget API their own pages call.

A Phenom site is on the company's own domain (`careers.acme.com`, recognised by its `phApp` state
and `cdn.phenompeople.com` assets), its pages under a country and language: `/us/en/search-results`,
`/global/en/job/{jobId}/{slug}`. The search page asks `POST {site}/widgets` with `{"ddoKey":
"refineSearch", "jobs": true, "from": N, "size": 50, "lang": "en_us", "country": "us", ...}`,
answered `{"refineSearch": {"status": 200, "totalHits": N, "data": {"jobs": [...]}}}`. A job:
`jobSeqNo` (unique per language), `jobId`, `reqId`, `title`, `category`, `city` / `state` /
`country`, `cityStateCountry`, `multi_location` (place strings), `postedDate`, `type` ("Full
time"), `locale` ("en_US": the posting's language), `applyUrl`, `isRemote` / `checkRemote`,
`descriptionTeaser` (plain text). The full text is the job page's: `POST {site}/widgets` with
`{"ddoKey": "jobDetail", "jobSeqNo": ...}` → `{"jobDetail": {"data": {"job": {description (HTML),
...}}}}`. Phenom states no salary. Many sites answer the widgets only within the session their
page opens (its cookies, the CSRF token it sets or embeds, the `refNum` of its `phApp`), so the
site's page is read first, as a browser would.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import JsonRequest, Response, TextResponse

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import Board, board_from_url
from crawler.spiders.board import JsonBoardSpider, Page

PAGE_SIZE = 50
_REF_NUM = re.compile(r"""["']refNum["']\s*:\s*["']([\w-]+)["']""")
_CSRF = re.compile(r"""csrfToken["']?\s*(?::|=|[^>]*>)\s*["']?([\w-]{8,})""")


def listing_url(board_url: str) -> str | None:
    """The widget API of a career site URL as users paste it (its search page, a job page, the
    site's root), or None when it names no site."""
    board = board_from_url(board_url, "phenom")
    return f"{board.origin}/widgets" if board else None


class PhenomSpider(JsonBoardSpider):
    name = "phenom"
    jobs_at = ("refineSearch", "data", "jobs")
    total_at = ("refineSearch", "totalHits")
    page_size = PAGE_SIZE
    id_field = ("jobSeqNo",)

    derive_api_url = staticmethod(listing_url)
    session: dict[str, str] = {}  # the headers of the site page's session, once read
    ref_num: dict[str, str] = {}  # the site's refNum, when its page states one

    @property
    def site(self) -> Board | None:
        return board_from_url(self.source.url, "phenom")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:  # the site's page first (beside the widgets, for a mirror), for its session
            parts = urlsplit(self.source.url)
            page = urljoin(url, parts.path + (f"?{parts.query}" if parts.query else ""))
            yield scrapy.Request(page, callback=self.parse_site, errback=self.on_error, cb_kwargs={"url": url})

    def parse_site(self, response: Response, url: str) -> Iterator[scrapy.Request]:
        page = response.text if isinstance(response, TextResponse) else ""
        cookies = self.cookies_set_by(response)
        csrf = next((value for name, value in cookies.items() if "csrf" in name.lower()), None) or _first(_CSRF, page)
        self.session = {"Referer": response.url, **({"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}),
                        **({"x-csrf-token": csrf} if csrf else {})}
        self.ref_num = {"refNum": ref} if (ref := _first(_REF_NUM, page)) else {}
        yield self.first_listing(url)

    def _widget(self, url: str, ddo_key: str, **fields: Any) -> scrapy.Request:
        """A widget request as the site's pages send it, in the site's country and language."""
        country, _, lang = (self.site.prefix if self.site else "").partition("/")
        where = {"lang": f"{lang}_{country}", "country": country} if lang else {}
        body = {"ddoKey": ddo_key, "deviceType": "desktop", "siteType": "external", **self.ref_num, **where, **fields}
        return JsonRequest(url, data=body, headers=self.session)

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        return self._widget(url, "refineSearch", pageName="search-results", jobs=True, counts=False, keywords="",
                            **{"from": page.offset, "size": PAGE_SIZE, "selected_fields": {}})

    def detail_request(self, job: dict[str, Any]) -> scrapy.Request | None:
        return self._widget(self.api_url() or "", "jobDetail", pageName="job-details", jobSeqNo=self.job_id(job))

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        data = detail.get("jobDetail", {}).get("data") if isinstance(detail.get("jobDetail"), dict) else None
        full = data.get("job") if isinstance(data, dict) else None
        return {**job, **full} if isinstance(full, dict) else job

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Phenom job (search entry with its detail) as a JobPosting; None without a jobSeqNo."""
        key = self.job_id(job)
        if key is None:
            return None
        site, job_id, requisition = self.site, text_of(job.get("jobId")) or key, text_of(job.get("reqId"))
        remote = job.get("isRemote") is True or (text_of(job.get("checkRemote")) or "").lower() == "remote"
        return self.posting(
            key=key,
            external_id=requisition or job_id,
            translation_key=requisition or job_id,  # a job's language versions share it (jobSeqNo ends ENUS, DEDE...)
            url=f"{site.url}/job/{job_id}" if site else self.source.url,
            apply_url=text_of(job.get("applyUrl")),
            title=text_of(job.get("title")),
            department=text_of(job.get("category")),
            description_html=text_of(job.get("description")) or text_of(job.get("descriptionTeaser")),
            locations=_locations(job, remote),
            employment_type_raw=text_of(job.get("type")),
            workplace_raw=text_of(job.get("checkRemote")) or ("remote" if remote else None),
            date_posted_raw=text_of(job.get("postedDate")) or text_of(job.get("dateCreated")),
            stated_language=text_of(job.get("locale")),
        )


def _locations(job: dict[str, Any], remote: bool) -> list[RawLocation]:
    """Every place of a multi-location job; else its one place, with its parts."""
    places = job.get("multi_location")
    names = [text_of(place) for place in places] if isinstance(places, list) else []
    if len([name for name in names if name]) > 1:
        return [RawLocation(raw=name, remote=remote) for name in dict.fromkeys(filter(None, names))]
    city, region, country = (text_of(job.get(part)) for part in ("city", "state", "country"))
    raw = text_of(job.get("cityStateCountry")) or text_of(job.get("location")) or next(filter(None, names), None)
    raw = raw or ", ".join(part for part in (city, region, country) if part)
    return [RawLocation(raw=raw, city=city, region=region, country=country, remote=remote)] if raw else []


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found.group(1) if found else None
