"""Gupy career pages (Brazil), read from the data their Next.js pages carry.

Each company has a page, `https://{tenant}.gupy.io/` (postings at `/jobs/{id}`; `/job/{id}`
redirects there). It is rendered on the server: its `<script id="__NEXT_DATA__">` JSON holds
`buildId` and `props.pageProps` {careerPage {id, name, subdomain}, jobs [...]}, every open job
in one answer, unpaged. A job: `id` (number), `title` (or `name`), `department`, `type`
(`vacancy_type_effective`, `_internship`, `_talent_pool`...: a contract kind, not hours),
`workplace` {address {country ("Brasil"), state, stateShortName, city}, workplaceType (on-site,
hybrid, remote)}, sometimes `publishedDate`, `applicationDeadline` and `description` (HTML).

A job listed without its text is read from the page data of its posting:
`GET {page}/_next/data/{buildId}/pt/jobs/{id}.json` → `pageProps.job` {description,
responsibilities, prerequisites, relevantExperiences (HTML sections), workplaceType,
publishedAt, expiresAt}. `buildId` changes with every deploy, so it is read from the page each
time. Gupy states no language; its jobs are mostly in Portuguese, in Brazil.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, dig

NEXT_DATA = re.compile(rb"<script[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>(.*?)</script>", re.S | re.I)
SECTIONS = ("description", "responsibilities", "prerequisites", "relevantExperiences")


def listing_url(board_url: str) -> str | None:
    """The career page for a URL as users paste it (`acme.gupy.io`, `acme.gupy.io/jobs/123`),
    or None when it names no company (`portal.gupy.io`)."""
    board = board_from_url(board_url, "gupy")
    return f"{board.origin}/" if board else None


class GupySpider(JsonBoardSpider):
    name = "gupy"
    jobs_at = ("props", "pageProps", "jobs")

    derive_api_url = staticmethod(listing_url)
    build_id: str | None = None
    page_url: str | None = None
    company: str | None = None

    def json_body(self, response: Response) -> Any:
        """A detail's JSON; for the career page, the JSON of its __NEXT_DATA__ script (and what
        the details need from it: the build id, the page's URL)."""
        if self.page_url is not None or response.body.lstrip()[:1] in (b"{", b"["):
            return super().json_body(response)
        found = NEXT_DATA.search(response.body)
        if found is None:
            self.problem("bad_json", response.url, "no __NEXT_DATA__ script on the career page")
            return None
        try:
            data = json.loads(found.group(1))
        except ValueError as error:
            self.problem("bad_json", response.url, f"invalid __NEXT_DATA__ JSON: {error}"[:300])
            return None
        self.page_url, self.build_id = response.url, text_of(dig(data, ("buildId",)))
        self.company = text_of(dig(data, ("props", "pageProps", "careerPage", "name")))
        return data

    def detail_url(self, job: dict[str, Any]) -> str | None:
        job_id = text_of(job.get("id"))
        if text_of(job.get("description")) or not (self.build_id and self.page_url and job_id):
            return None
        return urljoin(self.page_url, f"/_next/data/{self.build_id}/pt/jobs/{job_id}.json")

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        found = dig(detail, ("pageProps", "job"))
        return {**job, **{k: v for k, v in found.items() if v is not None}} if isinstance(found, dict) else job

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Gupy job (with its detail, if read) as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        board = board_from_url(self.source.url, "gupy")
        workplace = text_of(dig(job, ("workplace", "workplaceType"))) or text_of(job.get("workplaceType"))
        address = dig(job, ("workplace", "address"))
        address = address if isinstance(address, dict) else {}
        city, country = text_of(address.get("city")), text_of(address.get("country"))
        region = text_of(address.get("state")) or text_of(address.get("stateShortName"))
        remote = (workplace or "").lower() == "remote"
        raw = ", ".join(filter(None, (city, region, country)))
        place = RawLocation(raw=raw, city=city, region=region, country=country, remote=remote)
        kind = text_of(job.get("type"))
        fields: dict[str, Any] = dict(
            key=job_id,
            external_id=job_id,
            url=f"{board.origin}/jobs/{job_id}" if board else self.source.url,
            title=text_of(job.get("title")) or text_of(job.get("name")),
            department=text_of(job.get("department")),
            description_html="\n".join(filter(None, (text_of(job.get(name)) for name in SECTIONS))) or None,
            locations=[place] if place.raw else [],
            # `vacancy_type_internship` → "internship": the contract kind in words.
            employment_type_raw=kind.removeprefix("vacancy_type_").replace("_", " ") if kind else None,
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("publishedDate")) or text_of(job.get("publishedAt")),
            valid_through_raw=text_of(job.get("applicationDeadline")) or text_of(job.get("expiresAt")),
            country_hint="BR",
        )
        if self.company:
            fields["company"] = self.company
        return self.posting(**fields)
