"""BambooHR career sites, read through the JSON their own careers page calls.

Each company has a host, `https://{slug}.bamboohr.com/careers` (postings at `/careers/{id}`).
The listing is one request, unpaged: `GET https://{slug}.bamboohr.com/careers/list` with
`Accept: application/json` answers `{"meta": {...}, "result": [...]}`; each entry has `id` (a
string), `jobOpeningName`, `departmentLabel`, `employmentStatusLabel` ("Full-Time"), `location`
{city, state}, `atsLocation` {city, state, province, country, countryId}, `locationType` ("0"
onsite, "1" remote, "2" hybrid) and `isRemote` (legacy, often null); older sites have flat
`locationCity` / `locationState` / `locationCountry`.

The list has no text, so each posting is read from `GET .../careers/{id}/detail`, answering
`{"result": {"jobOpening": {...}}}` with `description` (HTML), `compensation` (free text,
"$80,000 - $95,000 per year"), `datePosted` (ISO date), `location`, `atsLocation`,
`jobOpeningShareUrl` and the list's fields again. BambooHR says nothing of a posting's language.

When a source names an `endpoint` (the list URL), each detail URL is the endpoint with its
trailing `/list` replaced by `/{id}/detail`.
"""

from __future__ import annotations

from typing import Any


from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, dig

WORKPLACES = {"0": "onsite", "1": "remote", "2": "hybrid"}


def listing_url(board_url: str) -> str | None:
    """The list URL for a career site URL as users paste it (`acme.bamboohr.com/careers`, a
    posting `/careers/184`, the legacy `/jobs/`), or None when it names no site."""
    board = board_from_url(board_url, "bamboohr")
    return f"https://{board.netloc}/careers/list" if board else None


class BambooHRSpider(JsonBoardSpider):
    name = "bamboohr"
    jobs_at = ("result",)
    headers = {"Accept": "application/json"}  # without it the careers pages answer HTML

    derive_api_url = staticmethod(listing_url)

    def detail_url(self, job: dict[str, Any]) -> str | None:
        list_url = self.api_url() or ""
        return f"{list_url.split('?')[0].removesuffix('/').removesuffix('/list')}/{self.job_id(job)}/detail"

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        opening = dig(detail, ("result", "jobOpening"))
        return {**job, **opening} if isinstance(opening, dict) else job

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One BambooHR job (list entry merged with its detail) as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        workplace = WORKPLACES.get(text_of(job.get("locationType")) or "")
        if workplace is None and job.get("isRemote") is True:
            workplace = "remote"
        board = board_from_url(self.source.url, "bamboohr")
        url = f"https://{board.netloc}/careers/{job_id}" if board else self.source.url
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=url,
            apply_url=url,
            title=text_of(job.get("jobOpeningName")) or text_of(job.get("title")),
            department=text_of(job.get("departmentLabel")),
            description_html=text_of(job.get("description")),
            locations=_locations(job, remote=workplace == "remote"),
            employment_type_raw=text_of(job.get("employmentStatusLabel")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("datePosted")),
            salary_raw=text_of(job.get("compensation")),  # pay as text: the normalize step reads it
        )


def _locations(job: dict[str, Any], remote: bool) -> list[RawLocation]:
    """The ATS location (with a country), else the location, else the legacy flat fields."""
    for place in (job.get("atsLocation"), job.get("location")):
        if isinstance(place, dict):
            city, region = text_of(place.get("city")), text_of(place.get("state")) or text_of(place.get("province"))
            country = text_of(place.get("country"))
            if city or region or country:
                raw = ", ".join(part for part in (city, region, country) if part)
                return [RawLocation(raw=raw, city=city, region=region, country=country, remote=remote)]
    city, region, country = (text_of(job.get(f"location{part}")) for part in ("City", "State", "Country"))
    if city or region or country:
        raw = ", ".join(part for part in (city, region, country) if part)
        return [RawLocation(raw=raw, city=city, region=region, country=country, remote=remote)]
    return [RawLocation(raw="Remote", remote=True)] if remote else []
