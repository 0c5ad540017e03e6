"""HiBob career sites, read through the JSON their own careers page calls.

Each company has a host, `https://{tenant}.careers.hibob.com/` (postings at `/jobs/{uuid}`,
applications at `/jobs/{uuid}/apply`). Every posting comes in one request, unpaged:
`GET https://{tenant}.careers.hibob.com/api/job-ad`, answered 401 unless the request carries
`Referer: https://{tenant}.careers.hibob.com/jobs` or `companyIdentifier: {tenant}` (both are
sent). The answer is `{"filterGroups": {...}, "jobAdDetails": [...]}`; each ad has `id` (a
uuid), `title`, `department`, `employmentType` ("Employee", "Contractor"), one place as `site`
(a city or office name) and `country` (a name), `language` (ISO 639-1: HiBob states it), the
HTML sections `description`, `responsibilities`, `requirements` and `benefits` with their
headings, where the site sets them, in `sectionLabels`, `publishedAt` (ISO), and
`workspaceTypeId` ("on_site", "hybrid", "remote") with its label `workspaceType`. No salary.
"""

from __future__ import annotations

from typing import Any

import scrapy

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, html_sections

SECTIONS = ("description", "responsibilities", "requirements", "benefits")


def listing_url(board_url: str) -> str | None:
    """The API URL for a career site URL as users paste it (`acme.careers.hibob.com`, `/jobs`,
    a posting `/jobs/{uuid}`), or None when it names no site."""
    board = board_from_url(board_url, "hibob")
    return f"https://{board.netloc}/api/job-ad" if board else None


class HiBobSpider(JsonBoardSpider):
    name = "hibob"
    jobs_at = ("jobAdDetails",)

    derive_api_url = staticmethod(listing_url)

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        # The tenant is named by the site's own host, also when an endpoint serves its answer.
        board = board_from_url(self.source.url, "hibob")
        if board is None:
            return scrapy.Request(url)
        tenant = board.netloc.split(".")[0]
        return scrapy.Request(
            url, headers={"Referer": f"https://{board.netloc}/jobs", "companyIdentifier": tenant, "Accept": "application/json"}
        )

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One HiBob job ad as a JobPosting; None when it has no id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        workplace = text_of(job.get("workspaceTypeId")) or text_of(job.get("workspaceType"))
        remote = (workplace or "").lower() == "remote"
        board = board_from_url(self.source.url, "hibob")
        url = f"https://{board.netloc}/jobs/{job_id}" if board else self.source.url
        site, country = text_of(job.get("site")), text_of(job.get("country"))
        places = [RawLocation(raw=", ".join(p for p in (site, country) if p), city=site, country=country, remote=remote)]
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=url,
            apply_url=f"{url}/apply" if board else None,
            title=text_of(job.get("title")),
            department=text_of(job.get("department")),
            description_html=_description(job),
            locations=places if site or country else [],
            employment_type_raw=text_of(job.get("employmentType")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("publishedAt")),
            stated_language=text_of(job.get("language")),
        )


def _description(job: dict[str, Any]) -> str | None:
    """The ad's sections in the order the page shows them, each under the heading the site
    gave it (none is invented: an English heading would mislead language detection)."""
    labels = job.get("sectionLabels") if isinstance(job.get("sectionLabels"), dict) else {}
    return html_sections((text_of(labels.get(section)), text_of(job.get(section))) for section in SECTIONS)
