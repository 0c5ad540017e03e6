"""Ashby job boards, read through the public Job Postings API.

One request per board: `GET https://api.ashbyhq.com/posting-api/job-board/{board}
?includeCompensation=true` answers `{"apiVersion": "1", "jobs": [...]}`, unpaged.

Each job carries `id`, `title`, `department`, `team`, `employmentType` (FullTime, PartTime,
Intern, Contract, Temporary), `location` (a name) with `address.postalAddress` {addressLocality,
addressRegion, addressCountry: free text such as "USA", "UK", "European Union"},
`secondaryLocations` [{location, address}], `isRemote`, `workplaceType` (OnSite, Hybrid,
Remote), `isListed`, `descriptionHtml`, `publishedAt`, `jobUrl`, `applyUrl` and `compensation`
{summaryComponents, compensationTiers[].components: [{compensationType: "Salary", minValue,
maxValue, currencyCode, interval: "1 YEAR"}]}. Ashby says nothing of a posting's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, dicts

API_HOST = "api.ashbyhq.com"


def listing_url(board_url: str) -> str | None:
    """The API URL for a board URL as users paste it (`jobs.ashbyhq.com/acme`, or a posting
    under it), or None when it names no board."""
    board = board_from_url(board_url, "ashby")
    if board is None:
        return None
    return f"https://{API_HOST}/posting-api/job-board/{board.name}?includeCompensation=true"


class AshbySpider(JsonBoardSpider):
    name = "ashby"
    api_hosts = frozenset({API_HOST})
    jobs_at = ("jobs",)

    derive_api_url = staticmethod(listing_url)

    def job_postings(self, job: dict[str, Any]) -> Iterator[JobPosting]:
        # Unlisted postings are hidden from the board by the company (reachable by link only).
        if job.get("isListed") is not False:
            yield self.job_posting(job)

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Ashby job as a JobPosting; None when it has no id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        workplace = text_of(job.get("workplaceType"))
        if workplace is None and job.get("isRemote") is True:
            workplace = "Remote"
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=text_of(job.get("jobUrl")) or self.source.url,
            apply_url=text_of(job.get("applyUrl")),
            title=text_of(job.get("title")),
            department=text_of(job.get("department")) or text_of(job.get("team")),
            description_html=text_of(job.get("descriptionHtml")) or text_of(job.get("descriptionPlain")),
            locations=_locations(job, remote=(workplace or "").lower() == "remote"),
            employment_type_raw=text_of(job.get("employmentType")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("publishedAt")),
            salary_raw=_salary(job.get("compensation")),
        )


def _locations(job: dict[str, Any], remote: bool) -> list[RawLocation]:
    """The primary location, then the secondary ones. For a remote job they are where
    applicants may live ("Remote", addressCountry "UK"), not offices."""
    places = [(job.get("location"), job.get("address"))]
    places += [(place.get("location"), place.get("address")) for place in dicts(job.get("secondaryLocations"))]
    locations = []
    for name, address in places:
        # The primary address nests its fields in `postalAddress`; secondary ones may not.
        if isinstance(address, dict) and isinstance(address.get("postalAddress"), dict):
            address = address["postalAddress"]
        address = address if isinstance(address, dict) else {}
        city, region, country = (text_of(address.get(f"address{part}")) for part in ("Locality", "Region", "Country"))
        raw = text_of(name) or ""
        if raw or city or region or country:
            locations.append(RawLocation(raw=raw, city=city, region=region, country=country, remote=remote))
    return locations


def _salary(compensation: Any) -> dict[str, Any] | None:
    """The salary of the job's compensation summary (which spans its tiers), else the first
    tier's; equity, bonus and commission components are not pay ranges."""
    if not isinstance(compensation, dict):
        return None
    components = dicts(compensation.get("summaryComponents"))
    for tier in dicts(compensation.get("compensationTiers")):
        components += dicts(tier.get("components"))
    for component in components:
        if text_of(component.get("compensationType")) == "Salary":
            interval = text_of(component.get("interval"))
            return monetary_amount(
                component.get("minValue"),
                component.get("maxValue"),
                text_of(component.get("currencyCode")),
                interval.split()[-1] if interval else None,  # "1 YEAR" → YEAR
            )
    return None
