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

import re
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, Page, dig

JSON_HEADERS = {"Accept": "application/json"}
WORKPLACES = {"0": "onsite", "1": "remote", "2": "hybrid"}


def listing_url(board_url: str) -> str | None:
    """The list URL for a career site URL as users paste it (`acme.bamboohr.com/careers`, a
    posting `/careers/184`, the legacy `/jobs/`), or None when it names no site."""
    board = board_from_url(board_url, "bamboohr")
    return f"https://{board.netloc}/careers/list" if board else None


class BambooHRSpider(JsonBoardSpider):
    name = "bamboohr"
    jobs_at = ("result",)

    derive_api_url = staticmethod(listing_url)

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        # Without it the careers pages answer HTML.
        return scrapy.Request(url, headers=JSON_HEADERS)

    def parse_listing(self, response: Response, **kwargs: Any) -> Iterator[JobPosting | scrapy.Request]:
        for output in super().parse_listing(response, **kwargs):
            yield output.replace(headers=JSON_HEADERS) if isinstance(output, scrapy.Request) else output

    def detail_url(self, job: dict[str, Any]) -> str | None:
        list_url = self.api_url() or ""
        return f"{list_url.split('?')[0].removesuffix('/').removesuffix('/list')}/{self.job_id(job)}/detail"

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        opening = dig(detail, ("result", "jobOpening"))
        return {**job, **opening} if isinstance(opening, dict) else job

    def job_postings(self, job: dict[str, Any]) -> Iterator[JobPosting]:
        posting = self.job_posting(job)
        if posting:
            yield posting

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
            salary_raw=salary_from_text(job.get("compensation")),
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


# -- pay stated as text ("$105k - $125k", "45.000 € - 55.000 € brutto pro Jahr") -------------------

_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY", "zł": "PLN"}
_CODE = re.compile(r"\b(USD|EUR|GBP|CAD|AUD|CHF|SEK|NOK|DKK|PLN|INR|ILS|BRL|MXN|NZD|SGD|JPY|ZAR)\b", re.I)
_NUMBER = re.compile(r"(\d[\d.,\s]*\d|\d)\s*([kK]\b)?")
_PERIODS = (
    (re.compile(r"hour|stunde|heure|hora", re.I), "HOUR"),
    (re.compile(r"\bday\b|daily|\btag\b|jour\b", re.I), "DAY"),
    (re.compile(r"week|woche|semaine", re.I), "WEEK"),
    (re.compile(r"month|monat|mois|\bmes\b", re.I), "MONTH"),
    (re.compile(r"year|annual|annum|jahr|par an\b|\bano\b|año", re.I), "YEAR"),
)


def salary_from_text(value: Any) -> dict[str, Any] | None:
    """A pay range written as text, as a MonetaryAmount (min, max, currency, period), or None
    when it names no amount."""
    text = text_of(value)
    if not text:
        return None
    amounts = [_amount(digits, thousands) for digits, thousands in _NUMBER.findall(text)[:2]]
    amounts = [amount for amount in amounts if amount]
    if not amounts:
        return None
    code = _CODE.search(text)
    currency = code.group(1).upper() if code else next((c for s, c in _CURRENCIES.items() if s in text), None)
    period = next((name for pattern, name in _PERIODS if pattern.search(text)), None)
    return monetary_amount(amounts[0], amounts[-1], currency, period)


def _amount(digits: str, thousands: str) -> float | None:
    digits = re.sub(r"\s", "", digits)
    # A last separator followed by one or two digits is a decimal mark; others group thousands.
    digits = re.sub(r"[.,](\d{1,2})$", r"#\1", digits)
    try:
        amount = float(re.sub(r"[.,]", "", digits).replace("#", "."))
    except ValueError:
        return None
    return amount * 1000 if thousands else amount
