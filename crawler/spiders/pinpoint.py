"""Pinpoint career sites, read through the public postings feed every site serves.

A company's site is `https://{company}.pinpointhq.com` (or its own domain); postings are at
`/en/postings/{uuid}`. One request per site: `GET {site}/postings.json` answers
`{"data": [...]}`, every open posting, unpaged.

A posting: `id`, `title`, `url` (its page), `path`, `description` (HTML) and the sections
`key_responsibilities`, `skills_knowledge_expertise`, `benefits` (HTML, each with a
`{section}_header`), `location` {name, city, province, country (not always there)},
`workplace_type` (onsite, hybrid, remote) with `workplace_type_text`, `employment_type`
(full_time, part_time, contract...) with `employment_type_text`, `compensation_visible`,
`compensation_minimum`, `compensation_maximum`, `compensation_currency`,
`compensation_frequency` (yearly, monthly, hourly...), `job` {department {name}},
`first_published_at` and `deadline_at`. Pay is read only where `compensation_visible` is true:
otherwise it is the company's internal band. Pinpoint states no language.
"""

from __future__ import annotations

from typing import Any

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, dig, html_sections, number

SECTIONS = ("key_responsibilities", "skills_knowledge_expertise", "benefits")


def listing_url(board_url: str) -> str | None:
    """The feed of a site as users paste it (`acme.pinpointhq.com`, a posting on it), or None
    when the URL names no company (`app.pinpointhq.com`, `www.pinpointhq.com`)."""
    board = board_from_url(board_url, "pinpoint")
    return f"{board.origin}/postings.json" if board else None


class PinpointSpider(JsonBoardSpider):
    name = "pinpoint"
    jobs_at = ("data",)

    derive_api_url = staticmethod(listing_url)

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Pinpoint posting as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        board = board_from_url(self.source.url, "pinpoint")
        path = text_of(job.get("path"))
        url = text_of(job.get("url")) or (f"{board.origin}{path}" if board and path else self.source.url)
        workplace = text_of(job.get("workplace_type")) or text_of(job.get("workplace_type_text"))
        salary = None
        if job.get("compensation_visible") is True:
            salary = monetary_amount(
                number(job.get("compensation_minimum")),
                number(job.get("compensation_maximum")),
                text_of(job.get("compensation_currency")),
                text_of(job.get("compensation_frequency")),
            )
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=url,
            title=text_of(job.get("title")),
            department=text_of(dig(job, ("job", "department"))) or text_of(job.get("department")),
            description_html=_description(job),
            locations=_locations(job.get("location"), remote=(workplace or "").lower() == "remote"),
            employment_type_raw=text_of(job.get("employment_type")) or text_of(job.get("employment_type_text")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("first_published_at")) or text_of(job.get("published_at")),
            valid_through_raw=text_of(job.get("deadline_at")),
            salary_raw=salary,
        )


def _description(job: dict[str, Any]) -> str | None:
    """The description, then each further section under its heading, in reading order."""
    sections = [(text_of(job.get(f"{section}_header")), text_of(job.get(section))) for section in SECTIONS]
    return html_sections([(None, text_of(job.get("description"))), *sections])


def _locations(location: Any, remote: bool) -> list[RawLocation]:
    if not isinstance(location, dict):
        raw = text_of(location)
        return [RawLocation(raw=raw, remote=remote)] if raw else []
    city, region = text_of(location.get("city")), text_of(location.get("province"))
    country = text_of(location.get("country")) or text_of(location.get("country_code"))
    raw = text_of(location.get("name")) or ", ".join(filter(None, (city, region, country)))
    return [RawLocation(raw=raw, city=city, region=region, country=country, remote=remote)] if raw else []
