"""Workday career sites, read through the CXS JSON API their own pages call.

A site's address is `https://{tenant}.wd{N}.myworkdayjobs.com/{site}`, often with a locale
segment (`/en-US/{site}`). Its postings are listed 20 at a time:

    POST https://{tenant}.wd{N}.myworkdayjobs.com/wday/cxs/{tenant}/{site}/jobs
    {"appliedFacets": {}, "limit": 20, "offset": N, "searchText": ""}

(a larger `limit`, or a GET without this body, is answered 400). The answer is `{"total": N,
"jobPostings": [{title, externalPath, locationsText, postedOn, bulletFields}], "facets": [...]}`;
only the first page's `total` is relied on (later pages may state 0). The list says little
("2 Locations", "Posted 30+ Days Ago"), so each posting is read from its detail:

    GET .../wday/cxs/{tenant}/{site}{externalPath}

answering `{"jobPostingInfo": {...}, "hiringOrganization": {"name"}, "similarJobs": [...]}`, where
jobPostingInfo has `id`, `jobReqId`, `title`, `jobDescription` (HTML), `location` (free text,
"NJ-Parsippany", "US Remote"), `additionalLocations` [free text], `country` {descriptor,
alpha2Code}, `jobRequisitionLocation` {descriptor, country {alpha2Code}}, `timeType` ("Full
time"), `startDate` / `endDate` (ISO dates: posted / closes), `remoteType` on some sites, and
`externalUrl` (the public posting page). Workday says nothing of a posting's language: the
locale in a site's address picks the page chrome, not the posting's text.

When a source names an `endpoint`, it replaces the `.../jobs` list URL, and each detail URL is
the endpoint with its trailing `/jobs` replaced by the posting's `externalPath`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import JsonRequest

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, dig

def site_path(board_url: str) -> str | None:
    """`/{site}` or `/{locale}/{site}` of a site URL as users paste it (a posting URL too:
    `.../en-US/Careers/job/Berlin/Engineer_R123`), or None when it is no Workday site."""
    site = board_from_url(board_url, "workday")
    if site is None:
        return None
    return "/" + "/".join(part for part in (site.locale, site.prefix, site.name) if part)


def listing_url(board_url: str) -> str | None:
    """The CXS list URL for a site URL as users paste it, or None when it is no Workday site."""
    site = board_from_url(board_url, "workday")
    if site is None:
        return None
    return f"https://{site.netloc}/wday/cxs/{site.tenant}/{site.name}/jobs"


def detail_url(list_url: str, external_path: str) -> str:
    """A posting's CXS detail URL: the list URL with its trailing `/jobs` replaced by the
    posting's `externalPath` (`/job/Berlin/Engineer_R123`)."""
    base = list_url.rstrip("/")
    base = base.removesuffix("/jobs")
    return base + "/" + external_path.lstrip("/")


class WorkdaySpider(JsonBoardSpider):
    name = "workday"
    # The API lives on each site's own host, which is the source's host.
    api_hosts = frozenset()
    jobs_at = ("jobPostings",)
    total_at = ("total",)
    page_size = 20  # the most Workday lists per request
    longer_page_ends_listing = True
    id_field = ("externalPath",)
    count_jobs_without_id = False
    detail_at = ("jobPostingInfo",)
    headers = {"Accept": "application/json"}

    derive_api_url = staticmethod(listing_url)

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        body = {"appliedFacets": {}, "limit": self.page_size, "offset": page.offset, "searchText": ""}
        return JsonRequest(url, data=body, headers=self.headers)

    def detail_url(self, job: dict[str, Any]) -> str | None:
        return detail_url(self.api_url() or "", self.job_id(job) or "")

    def job_postings(self, job: dict[str, Any]) -> list[JobPosting | None]:
        return [self.job_posting(job, self._posting_page(self.job_id(job) or ""))]

    def job_posting(self, detail: dict[str, Any], page_url: str | None = None) -> JobPosting | None:
        """One CXS job detail (`{"jobPostingInfo": ..., "hiringOrganization": ...}`) as a
        JobPosting; None when it has no id. `page_url` is the posting page to use when the
        detail names none."""
        info = detail.get("jobPostingInfo")
        if not isinstance(info, dict):
            return None
        posting_id = text_of(info.get("id")) or text_of(info.get("jobPostingId"))
        if posting_id is None:
            return None
        country_code = _country_code(info)
        return self.posting(
            key=posting_id,
            external_id=text_of(info.get("jobReqId")) or posting_id,
            url=text_of(info.get("externalUrl")) or page_url or self.source.url,
            title=text_of(info.get("title")),
            description_html=text_of(info.get("jobDescription")),
            locations=_locations(info, country_code),
            employment_type_raw=text_of(info.get("timeType")),
            workplace_raw=text_of(info.get("remoteType")),
            date_posted_raw=text_of(info.get("startDate")),
            valid_through_raw=text_of(info.get("endDate")),
            country_hint=country_code,
            company=text_of(dig(detail, ("hiringOrganization", "name"))),
        )

    def _posting_page(self, external_path: str) -> str | None:
        """The public page of a posting, built from the site URL: `{site URL}{externalPath}`."""
        path = site_path(self.source.url)
        if path is None:
            return None
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.source.url))
        return f"{origin}{path}/{external_path.lstrip('/')}"


def _country_code(info: dict[str, Any]) -> str | None:
    """The posting's ISO country: its own `country`, else its requisition location's (the
    posting's `country` often lacks the code)."""
    requisition = info.get("jobRequisitionLocation")
    for holder in (info, requisition if isinstance(requisition, dict) else {}):
        country = holder.get("country")
        code = text_of(country.get("alpha2Code")) if isinstance(country, dict) else None
        if code:
            return code.upper()
    return None


def _locations(info: dict[str, Any], country_code: str | None) -> list[RawLocation]:
    """The primary location, in the posting's country (Workday states the country of the
    primary location only), then the additional ones as written."""
    country = info.get("country")
    primary_country = country_code or text_of(country.get("descriptor") if isinstance(country, dict) else country)
    primary = text_of(info.get("location"))
    additional = info.get("additionalLocations")
    others = additional if isinstance(additional, list) else [additional]
    locations = [RawLocation(raw=primary, country=primary_country)] if primary else []
    for text in map(text_of, others):
        if text and text != primary:
            locations.append(RawLocation(raw=text))
    return locations
