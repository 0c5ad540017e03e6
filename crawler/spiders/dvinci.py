"""d.vinci career sites, read through the job publication list their portal loads.

Each company has a site: `https://{slug}.dvinci-hr.com/`, `{slug}.dvinci-easy.com`,
`{account}.dvinci.de/portal/{portal}/`, or its own domain. One request per site, unpaged, no
auth: `GET {site}/jobPublication/list.json` answers a bare array of publications.

A publication is one job ad in one language: `id`, `language` (stated: "de", "en"), `position`
(the title), `pageTitle`, `jobPublicationURL` (its page), `applicationFormURL`, `startDate`,
`endDate` (when it is taken down), the HTML sections `introduction`, `tasks`, `profile`,
`weOffer`, `closingText`, and `jobOpening`, the job it advertises: {id, name, department,
categories [{name}], location (a name), locations [{name, country, address {city, usState,
zipCode}}], workingTimes [names or {name}], contractPeriod, salaryRange, createdDate}. A job
published in several languages is several publications sharing `jobOpening.id`: they are one
translation group. `startDate` is mostly null, so the opening's `createdDate` dates it then.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, dicts
from pipelines.location import split_locations

SECTIONS = ("introduction", "tasks", "profile", "weOffer", "closingText")
# `{account}.dvinci.de/portal/{portal}/...`: one account may run several portals.
PORTAL = re.compile(r"^(/portal/[^/?#]+)")


def listing_url(board_url: str) -> str | None:
    """The publication list URL for a site URL as users paste it (`acme.dvinci-hr.com/de/jobs/1`,
    `acme.dvinci.de/portal/karriere/`, the company's own domain), or None when it names no site."""
    board = board_from_url(board_url, "dvinci")
    if board is None:
        return None
    portal = PORTAL.match(urlsplit(board_url).path)
    return f"{board.origin}{portal.group(1) if portal else ''}/jobPublication/list.json"


class DvinciSpider(JsonBoardSpider):
    name = "dvinci"

    derive_api_url = staticmethod(listing_url)

    def job_id(self, job: dict[str, Any]) -> str | None:
        opening = _opening(job)
        fallback = text_of(opening.get("id"))
        return text_of(job.get("id")) or (fallback and f"{fallback}:{text_of(job.get('language')) or ''}")

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One publication as a JobPosting; None when neither it nor its opening has an id."""
        key = self.job_id(job)
        if key is None:
            return None
        opening = _opening(job)
        opening_id = text_of(opening.get("id"))
        sections = [text_of(job.get(name)) for name in SECTIONS]
        working_times = [text_of(value) for value in _list(opening.get("workingTimes"))]
        return self.posting(
            key=key,
            external_id=text_of(job.get("id")) or opening_id,
            url=text_of(job.get("jobPublicationURL")) or self.source.url,
            apply_url=text_of(job.get("applicationFormURL")),
            translation_key=f"opening:{opening_id}" if opening_id else None,
            title=text_of(job.get("position")) or text_of(job.get("pageTitle")) or text_of(opening.get("name")),
            department=text_of(opening.get("department")) or text_of(opening.get("categories")),
            description_html="\n".join(section for section in sections if section) or None,
            locations=_locations(opening),
            employment_type_raw=[value for value in working_times if value] or text_of(opening.get("contractPeriod")),
            date_posted_raw=text_of(job.get("startDate")) or text_of(opening.get("createdDate")),
            valid_through_raw=text_of(job.get("endDate")),
            salary_raw=_salary(opening.get("salaryRange")),
            stated_language=text_of(job.get("language")),
        )


def _opening(job: dict[str, Any]) -> dict[str, Any]:
    return job["jobOpening"] if isinstance(job.get("jobOpening"), dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _locations(opening: dict[str, Any]) -> list[RawLocation]:
    """The opening's structured places, else its location text (which may name several)."""
    locations = []
    for place in dicts(opening.get("locations")):
        address = place.get("address") if isinstance(place.get("address"), dict) else {}
        city, region = text_of(address.get("city")), text_of(address.get("usState"))
        locations.append(
            RawLocation(
                raw=text_of(place.get("name")) or ", ".join(part for part in (city, region) if part),
                city=city,
                region=region,
                country=text_of(place.get("country")) or text_of(address.get("country")),
                postal_code=text_of(address.get("zipCode")),
            )
        )
    return locations or [RawLocation(raw=place) for place in split_locations(text_of(opening.get("location")) or "")]


def _salary(value: Any) -> dict[str, Any] | str | None:
    """`salaryRange`: an object {min/from, max/to, currency, period/unit}, or text ("50.000 - 60.000 EUR"),
    which the normalize step reads."""
    if not isinstance(value, dict):
        return text_of(value)
    low = value.get("min", value.get("from"))
    high = value.get("max", value.get("to"))
    period = text_of(value.get("period")) or text_of(value.get("unit")) or text_of(value.get("interval"))
    low, high = (text_of(low), text_of(high))
    return monetary_amount(low, high, text_of(value.get("currency")), period) or text_of(value.get("text"))
