"""UKG Pro Recruiting (UltiPro) job boards, read through the search their own board page calls.

A board is `https://recruiting.ultipro.com/{TENANT}/JobBoard/{guid}/` (also `recruiting2.ultipro
.com`, `recruiting.ultipro.ca`, `{x}.rec.pro.ukg.net`). `POST {board}/JobBoardView/LoadSearchResults`
with `{"opportunitySearch": {"Top": 50, "Skip": N, "QueryString": "", "OrderBy": [...], "Filters":
[]}, "matchCriteria": {...}}` (an empty body gets `totalCount: null`) answers `{"opportunities": [...],
"totalCount": N}`, paged by `Skip`. An opportunity has `Id` (guid), `Title`, `RequisitionNumber`,
`FullTime` (bool), `JobCategoryName`, `JobLocationType`, `BriefDescription` (a teaser), `PostedDate`
(ISO) and `Locations` [{LocalizedName, Address {City, PostalCode, State {Code, Name}, Country {Code:
alpha-3 "USA", Name}}}].

The full text is only on the posting page `{board}/OpportunityDetail?opportunityId={Id}`, which
embeds the opportunity as JSON (`new US.Opportunity.CandidateOpportunityDetail({...})`) with an HTML
`"Description"`: that page is the detail; where none can be read the teaser is kept. UKG states no
language and the board no salary. `JobLocationType` is kept when a word; its numeric codes are
documented nowhere we could check, so then the location texts decide. With an `endpoint`, posting
pages are fetched from it (its `/JobBoardView/LoadSearchResults` replaced) and stored under the
board's own address.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

from scrapy.http import JsonRequest, Response, TextResponse
from w3lib.url import add_or_replace_parameters

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, dicts

PAGE_SIZE = 50
SEARCH_PATH = "/JobBoardView/LoadSearchResults"
# The key of the full text in the posting page's JSON (not BriefDescription, LocalizedDescription).
_DESCRIPTION = re.compile(r'(?<![A-Za-z])"Description"\s*:\s*(?=")')
_DETAIL_BLOB = re.compile(r"CandidateOpportunityDetail\(\s*(?=\{)")


def board_url(url: str) -> str | None:
    """`https://{host}/{TENANT}/JobBoard/{guid}` for a board or posting URL, else None."""
    board = board_from_url(url, "ukg")
    return board.url if board else None


def listing_url(url: str) -> str | None:
    """The search URL for a board URL as users paste it, or None when it names no UKG board."""
    board = board_url(url)
    return board + SEARCH_PATH if board else None


def search_body(skip: int) -> dict[str, Any]:
    """The search the board page itself sends, for the page starting at `skip`."""
    return {
        "opportunitySearch": {
            "Top": PAGE_SIZE,
            "Skip": skip,
            "QueryString": "",
            "OrderBy": [{"Value": "postedDateDesc", "PropertyName": "PostedDate", "Ascending": False}],
            "Filters": [],
        },
        "matchCriteria": {"PreferredJobs": [], "Educations": [], "LicenseAndCertifications": [], "Skills": [],
                          "hasNoLicenses": False, "SkippedSkills": []},
    }


def page_description(page: str) -> str | None:
    """The posting's full text from its page: the `Description` of the embedded opportunity,
    else the longest `"Description"` string anywhere on the page (also when the JSON sits
    HTML-escaped in an attribute); None when there is none."""
    decoder = json.JSONDecoder()
    for text in (page, unescape(page)):
        blob = _DETAIL_BLOB.search(text)
        if blob:
            try:
                found = text_of(decoder.raw_decode(text, blob.end())[0].get("Description"))
            except (ValueError, AttributeError):
                found = None
            if found:
                return found
        candidates = []
        for match in _DESCRIPTION.finditer(text):
            try:
                candidates.append(text_of(decoder.raw_decode(text, match.end())[0]) or "")
            except ValueError:
                continue
        if any(candidates):
            return max(candidates, key=len)
    return None


class UKGSpider(JsonBoardSpider):
    name = "ukg"
    jobs_at = ("opportunities",)
    total_at = ("totalCount",)
    page_size = PAGE_SIZE
    id_field = ("Id",)

    derive_api_url = staticmethod(listing_url)

    def listing_request(self, url: str, page: Page) -> JsonRequest:
        return JsonRequest(url, data=search_body(page.offset))

    def detail_url(self, job: dict[str, Any]) -> str | None:
        search = (self.source.endpoint or listing_url(self.source.url) or "").split("?")[0]
        return self._posting_page(search.removesuffix(SEARCH_PATH), "OpportunityDetail", job)

    def parse_detail(self, response: Response, job: dict[str, Any]) -> Iterator[JobPosting]:
        self.count_page()
        page = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        description = page_description(page)
        if description is None:
            self.logger.debug("no description on %s: the teaser is kept", response.url)
        yield from self._postings({**job, "Description": description} if description else job)

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One opportunity (with the `Description` of its page, if read) as a JobPosting; None
        without an id."""
        job_id = text_of(job.get("Id"))
        if job_id is None:
            return None
        board = board_url(self.source.url) or ""
        full_time = job.get("FullTime")
        host = board.split("/")[2] if board.count("/") >= 2 else ""
        return self.posting(
            key=job_id,
            external_id=text_of(job.get("RequisitionNumber")) or job_id,
            url=self._posting_page(board, "OpportunityDetail", job) or self.source.url,
            apply_url=self._posting_page(board, "OpportunityApply", job),
            title=text_of(job.get("Title")),
            department=text_of(job.get("JobCategoryName")),
            description_html=text_of(job.get("Description")) or text_of(job.get("BriefDescription")),
            locations=_locations(job.get("Locations")),
            employment_type_raw={True: "Full-time", False: "Part-time"}.get(full_time) if isinstance(full_time, bool) else None,
            workplace_raw=text_of(job.get("JobLocationType")) if isinstance(job.get("JobLocationType"), str) else None,
            date_posted_raw=text_of(job.get("PostedDate")),
            # Boards of the Canadian data centre are Canadian companies' (places without a country).
            country_hint="CA" if host.endswith(".ca") else None,
        )

    @staticmethod
    def _posting_page(board: str, page: str, job: dict[str, Any]) -> str | None:
        job_id = text_of(job.get("Id"))
        if not board or not job_id:
            return None
        return add_or_replace_parameters(f"{board}/{page}", {"opportunityId": job_id})


def _locations(value: Any) -> list[RawLocation]:
    """Each of the opportunity's places: its name, and the address's city, state and country
    (an alpha-3 code, else the name)."""
    locations = []
    for place in dicts(value):
        address = place.get("Address") if isinstance(place.get("Address"), dict) else {}
        state = address.get("State") if isinstance(address.get("State"), dict) else {}
        country = address.get("Country") if isinstance(address.get("Country"), dict) else {}
        city = text_of(address.get("City"))
        region = text_of(state.get("Code")) or text_of(state.get("Name"))
        country_text = text_of(country.get("Code")) or text_of(country.get("Name"))
        raw = text_of(place.get("LocalizedName")) or text_of(place.get("LocalizedDescription")) or ""
        if raw or city or region or country_text:
            locations.append(RawLocation(
                raw=raw, city=city, region=region, country=country_text,
                postal_code=text_of(address.get("PostalCode")),
            ))
    return locations
