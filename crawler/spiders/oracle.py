"""Oracle Recruiting Cloud (Fusion HCM) candidate experience sites, read through the public
REST resources their own pages call.

A site is `https://{host}.fa.{region}.oraclecloud.com/hcmUI/CandidateExperience/{lang}/sites/
{siteNumber}` (`CX_1`, `CX_1001`, or a name such as `jobsearch`). Its jobs are listed 25 at a time:

    GET {origin}/hcmRestApi/resources/latest/recruitingCEJobRequisitions?onlyData=true
        &expand=requisitionList.secondaryLocations,flexFieldsFacet.values
        &finder=findReqs;siteNumber={site},limit=25,offset=N,sortBy=POSTING_DATES_DESC

answering `{"items": [{"TotalJobsCount", "Offset", "Limit", "requisitionList": [...]}]}`
(paging lives inside the `finder` parameter). A requisition has `Id`, `Title`, `PostedDate`,
`PostingEndDate`, `Language` (Oracle's own language code: US, F, D, E, PTB...),
`PrimaryLocation` ("Austin, TX, United States"), `PrimaryLocationCountry` (ISO alpha-2),
`secondaryLocations` [{Name, CountryCode}], `WorkplaceType` / `WorkplaceTypeCode` (ORA_REMOTE,
ORA_HYBRID, ORA_ON_SITE), `JobSchedule`, `Department`, `ShortDescriptionStr`. The text is in
each job's detail:

    GET .../recruitingCEJobRequisitionDetails?expand=all&onlyData=true
        &finder=ById;Id="{Id}",siteNumber={site}

answering `{"items": [{Id, Title, ExternalDescriptionStr, ExternalResponsibilitiesStr,
ExternalQualificationsStr (HTML), ExternalPostedStartDate / ExternalPostedEndDate, JobSchedule,
WorkplaceType, PrimaryLocation, PrimaryLocationCountry, secondaryLocations, ...}]}`.
The posting page is `{site URL}/job/{Id}`. No salary is published. Oracle does not document
`Language` for the candidate API; it is read as the language of the texts returned, when it is
one of Oracle's codes below.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, dicts

PAGE_SIZE = 25
LIST_PATH = "/hcmRestApi/resources/latest/recruitingCEJobRequisitions"
DETAIL_PATH = "/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails"
# Oracle's language codes (FND_LANGUAGES) as ISO 639-1.
LANGUAGES = {
    "US": "en", "GB": "en", "F": "fr", "FRC": "fr", "D": "de", "E": "es", "ESA": "es", "I": "it",
    "NL": "nl", "PTB": "pt", "PT": "pt", "JA": "ja", "KO": "ko", "ZHS": "zh", "ZHT": "zh", "S": "sv",
    "N": "no", "DK": "da", "SF": "fi", "PL": "pl", "CS": "cs", "HU": "hu", "TR": "tr", "RU": "ru",
    "AR": "ar", "IW": "he", "RO": "ro", "SK": "sk", "EL": "el", "TH": "th", "IN": "id",
}
WORKPLACES = {"ORA_REMOTE": "remote", "ORA_HYBRID": "hybrid", "ORA_ON_SITE": "onsite"}


def listing_url(board_url: str) -> str | None:
    """The first listing URL for a site URL as users paste it (a posting URL too), or None."""
    site = board_from_url(board_url, "oracle")
    if site is None:
        return None
    return f"https://{site.netloc}{LIST_PATH}?" + urlencode({
        "onlyData": "true",
        "expand": "requisitionList.secondaryLocations,flexFieldsFacet.values",
        "finder": _finder(site.name or "", 0),
    })


def _finder(site: str, offset: int) -> str:
    return f"findReqs;siteNumber={site},limit={PAGE_SIZE},offset={offset},sortBy=POSTING_DATES_DESC"


def site_number(url: str) -> str | None:
    """The `siteNumber` named in a listing URL's finder."""
    finder = parse_qs(urlsplit(url).query).get("finder", [""])[0]
    match = re.search(r"siteNumber=([^,;]+)", finder)
    return match.group(1) if match else None


class OracleSpider(JsonBoardSpider):
    name = "oracle"
    api_hosts = frozenset()  # the API is on the site's own host
    jobs_at = ("requisitionList",)
    total_at = ("TotalJobsCount",)
    page_size = PAGE_SIZE
    id_field = ("Id",)
    headers = {"Accept": "application/json"}  # noqa: RUF012 - the template's own class attribute

    derive_api_url = staticmethod(listing_url)

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        finder = parse_qs(urlsplit(url).query).get("finder", [""])[0]
        # The endpoint's own finder, with its offset moved (or the default one, for its site).
        if re.search(r"offset=\d+", finder):
            finder = re.sub(r"offset=\d+", f"offset={page.offset}", finder)
        else:
            finder = _finder(site_number(url) or "", page.offset)
        return scrapy.Request(add_or_replace_parameter(url, "finder", finder), headers=self.headers)

    def json_body(self, response: Response) -> Any:
        # Both answers wrap their one result in `items`; an empty `items` is an empty result.
        data = super().json_body(response)
        items = data.get("items") if isinstance(data, dict) else None
        if isinstance(items, list):
            return next(iter(dicts(items)), {"requisitionList": []})
        return data

    def detail_url(self, job: dict[str, Any]) -> str | None:
        listing = self.source.endpoint or self.derive_api_url(self.source.url) or ""
        parts = urlsplit(listing)
        finder = f'ById;Id="{self.job_id(job)}",siteNumber={site_number(listing) or ""}'
        query = urlencode({"expand": "all", "onlyData": "true", "finder": finder})
        return f"{parts.scheme}://{parts.netloc}{DETAIL_PATH}?{query}"

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        # Keep the listing's values where the detail has none (null, "").
        return {**job, **{key: value for key, value in detail.items() if value not in (None, "", [])}}

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One requisition (listing entry merged with its detail) as a JobPosting; None without an Id."""
        job_id = text_of(job.get("Id"))
        if job_id is None:
            return None
        code = text_of(job.get("WorkplaceTypeCode"))
        workplace = WORKPLACES.get(code or "") or text_of(job.get("WorkplaceType")) or code
        sections = ("ExternalDescriptionStr", "ExternalResponsibilitiesStr", "ExternalQualificationsStr")
        description = "\n".join(filter(None, (text_of(job.get(key)) for key in sections)))
        country = text_of(job.get("PrimaryLocationCountry"))
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=self._page_url(job_id),
            title=text_of(job.get("Title")),
            department=text_of(job.get("Department")) or text_of(job.get("Organization")),
            description_html=description or text_of(job.get("ShortDescriptionStr")),
            locations=_locations(job, country, remote=workplace == "remote"),
            employment_type_raw=text_of(job.get("JobSchedule")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("ExternalPostedStartDate")) or text_of(job.get("PostedDate")),
            valid_through_raw=text_of(job.get("ExternalPostedEndDate")) or text_of(job.get("PostingEndDate")),
            stated_language=LANGUAGES.get((text_of(job.get("Language")) or "").upper()),
            country_hint=country.upper() if country and len(country) == 2 else None,
        )

    def _page_url(self, job_id: str) -> str:
        """`{origin}/hcmUI/CandidateExperience/{lang}/sites/{site}/job/{Id}`, in the site URL's language."""
        match = re.search(r"/hcmUI/CandidateExperience/([a-zA-Z-]+)/sites/([^/?#]+)", self.source.url)
        site = board_from_url(self.source.url, "oracle")
        if match is None or site is None:
            return self.source.url
        return f"https://{site.netloc}/hcmUI/CandidateExperience/{match.group(1)}/sites/{match.group(2)}/job/{job_id}"


def _locations(job: dict[str, Any], country: str | None, remote: bool) -> list[RawLocation]:
    """The primary location (with its stated country), then the secondary ones."""
    locations = []
    primary = text_of(job.get("PrimaryLocation"))
    if primary:
        locations.append(RawLocation(raw=primary, country=country, remote=remote))
    secondary = job.get("secondaryLocations")
    for place in dicts(secondary if isinstance(secondary, list) else [secondary]):
        name = text_of(place.get("Name"))
        if name and name != primary:
            locations.append(RawLocation(raw=name, country=text_of(place.get("CountryCode")), remote=remote))
    return locations
