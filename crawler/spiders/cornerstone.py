"""Cornerstone OnDemand career sites, read through the search API their own pages call.

A site is `https://{corp}.csod.com/ux/ats/careersite/{site}/home?c={corp}` (a job at `.../home/
requisition/{id}?c={corp}`). Its page embeds `csod.context={...};`: an anonymous JWT (`token`) and
the corp's API pod (`endpoints.cloud`: `https://us.api.csod.com/`, `eu-fra`, `uk`...). The listing
is `POST {pod}rec-job-search/external/jobs` (Bearer token; `careerSiteId`, `careerSitePageId`,
`pageNumber` from 1, `pageSize`) → `{"data": {"totalCount", "requisitions": [{requisitionId,
displayJobTitle (HTML-escaped), locations [{city, state, country}], postingEffectiveDate (M/D/YYYY
in en-US), externalDescription (the ad stripped of its markup)}]}}`. The ad is `GET {corp host}/
Services/API/ATS/CareerSite/{site}/JobRequisitions/{id}` (the token, and the session cookie
`ASP.NET_SessionId` = the token's `aud`) → `{"data": [{"items": [{"fields": {"ad": HTML}}]}]}`.
No department, pay, type or language is stated anywhere.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import JsonRequest, Response, TextResponse
from twisted.python.failure import Failure

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import Source, board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, dig, dicts

PAGE_SIZE = 100
_CONTEXT = re.compile(r"csod\.context\s*=\s*(\{.*?\})\s*;", re.DOTALL)
_POD = re.compile(r"[a-z0-9-]+\.api\.csod\.com")


def listing_url(board_url: str) -> str | None:
    """The career site's page (where the token is) for a URL as users paste it, or None."""
    board = board_from_url(board_url, "cornerstone")
    return f"{board.url}/home?c={board.netloc.split('.')[0]}" if board else None


class CornerstoneSpider(JsonBoardSpider):
    name = "cornerstone"
    jobs_at = ("data", "requisitions")
    total_at = ("data", "totalCount")
    page_size = PAGE_SIZE
    id_field = ("requisitionId",)

    derive_api_url = staticmethod(listing_url)
    token = ""  # the page's, once read

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.board = board_from_url(source.url, "cornerstone")
        self.site = int(self.board.name) if self.board else 1

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:  # first the career site's page, for the token and the pod
            yield scrapy.Request(url, callback=self.parse_context, errback=self.on_error)

    def parse_context(self, response: Response) -> Iterator[scrapy.Request]:
        found = _CONTEXT.search(response.text) if isinstance(response, TextResponse) else None
        context = _json(found.group(1)) if found else None
        token, pod = text_of(dig(context, ("token",))), text_of(dig(context, ("endpoints", "cloud")))
        if not (token and pod):
            self.problem("bad_json", response.url, "no csod.context with a token and an API host on the career site page")
            return
        self.token, pod_host = token, urlsplit(pod).netloc.lower()
        if _POD.fullmatch(pod_host):
            self.hosts.add(pod_host)  # the pod the corp's page names: Cornerstone's own
        yield self.first_listing(f"{pod.rstrip('/')}/rec-job-search/external/jobs")

    def on_error(self, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        if response is not None and response.status == 404 and b"ResourceNotFound" in response.body:
            self.count_page()  # a corp without a search index: its site lists no job (its page shows none), an empty board
            return
        super().on_error(failure)

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        query = {"careerSiteId": self.site, "careerSitePageId": self.site, "pageNumber": page.number + 1, "pageSize": PAGE_SIZE,
                 "cultureId": 1, "cultureName": "en-US", "searchText": "", "states": [], "countryCodes": [], "cities": []}
        return JsonRequest(url, data=query, headers={"Authorization": f"Bearer {self.token}"})

    def detail_request(self, job: dict[str, Any]) -> scrapy.Request | None:
        start = urlsplit(self.api_url() or "")
        url = (f"{start.scheme}://{start.netloc}/Services/API/ATS/CareerSite/{self.site}/JobRequisitions/"
               f"{self.job_id(job)}?useMobileAd=false&cultureId=1")
        return scrapy.Request(url, headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                                            "Cookie": f"ASP.NET_SessionId={_audience(self.token)}"})

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        items = dicts(dig(next(iter(dicts(detail.get("data"))), {}), ("items",)))
        return {**job, "ad": text_of(dig(next(iter(items), {}), ("fields", "ad")))}

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One requisition (with its ad) as a JobPosting; None without an id."""
        job_id = self.job_id(job)
        if job_id is None:
            return None
        board = self.board
        places = [[text_of(place.get(key)) for key in ("city", "state", "country")] for place in dicts(job.get("locations"))]
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=f"{board.url}/home/requisition/{job_id}?c={board.netloc.split('.')[0]}" if board else self.source.url,
            title=html.unescape(text_of(job.get("displayJobTitle")) or "") or None,
            description_html=text_of(job.get("ad")) or text_of(job.get("externalDescription")),
            locations=[RawLocation(raw=", ".join(filter(None, place)), city=place[0], region=place[1], country=place[2])
                       for place in places if any(place)],
            date_posted_raw=_us_date(text_of(job.get("postingEffectiveDate"))),
        )


def _json(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _audience(token: str) -> str:
    """The JWT's `aud` claim: the session the corp's own host expects with it."""
    payload = (token.split(".") + ["", ""])[1]
    try:
        claims = _json(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        claims = None
    return text_of(dig(claims, ("aud",))) or ""


def _us_date(value: str | None) -> str | None:
    """`postingEffectiveDate` (M/D/YYYY: the search is asked in en-US) as an ISO date."""
    try:
        return datetime.strptime(value or "", "%m/%d/%Y").date().isoformat()
    except ValueError:
        return value
