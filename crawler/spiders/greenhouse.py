"""Greenhouse job boards, read through the public Job Board API.

One request per board: `GET https://boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true
&pay_transparency=true` (boards on the EU instance, `job-boards.eu.greenhouse.io/{token}`, are served
by `boards-api.eu.greenhouse.io`). The answer is `{"jobs": [...], "meta": {"total": N}}`, unpaged.

Each job post carries `id`, `internal_job_id` (shared by the posts of one job: its language and
location variants), `title`, `language`, `content` (HTML escaped once: the clean pipeline unescapes
it), `location.name` (free text, often several places: "Denver, CO; New York, NY"), `offices`
(each with a free-text `location`), `departments`, `metadata` (custom fields), `first_published`,
`updated_at`, `absolute_url`, `company_name`, and `pay_input_ranges` (min_cents, max_cents,
currency_type, title) where the board uses pay transparency. Greenhouse documents
`pay_transparency=true` on the single-job endpoint; it is asked of the listing too, so that pay
comes without one request per job, and a `currency_range` custom field stands in where it is absent.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, dicts, number
from pipelines.location import resolve_country, split_locations

API_HOSTS = {"us": "boards-api.greenhouse.io", "eu": "boards-api.eu.greenhouse.io"}

# Custom fields boards commonly use for what the API has no field of its own for.
_EMPLOYMENT_FIELD = re.compile(r"employment|time type|job type|commitment|contract type", re.IGNORECASE)
_WORKPLACE_FIELD = re.compile(r"workplace|work arrangement|location type|remote", re.IGNORECASE)
_PERIOD_WORD = re.compile(r"\b(hour|day|week|month|year)(?:ly)?\b|\b(annual)", re.IGNORECASE)


def listing_url(board_url: str) -> str | None:
    """The API listing URL for a board URL as users paste it (`boards.greenhouse.io/acme`,
    `job-boards.eu.greenhouse.io/acme/jobs/123`, an embed `...?for=acme`), or None when it names no board."""
    board = board_from_url(board_url, "greenhouse")
    if board is None:
        return None
    api_host = API_HOSTS["eu" if board.eu else "us"]
    return f"https://{api_host}/v1/boards/{board.name}/jobs?content=true&pay_transparency=true"


class GreenhouseSpider(JsonBoardSpider):
    name = "greenhouse"
    api_hosts = frozenset(API_HOSTS.values())
    jobs_at = ("jobs",)
    total_at = ("meta", "total")
    count_jobs_without_id = False
    reads_whole_listing = True  # a job's language versions are posts of their own
    translated: Collection[str] = ()  # internal job ids posted in several languages, once the listing is read

    derive_api_url = staticmethod(listing_url)

    def listing_read(self, jobs: list[dict[str, Any]]) -> None:
        self.translated = translated_jobs(jobs)

    def job_postings(self, job: dict[str, Any]) -> list[JobPosting | None]:
        return [self.job_posting(job, self.translated)]

    def job_posting(self, job: dict[str, Any], translated: Collection[str] = ()) -> JobPosting | None:
        """One job post as a JobPosting; None when it has no id. `translated` holds the
        internal job ids published in several languages on this board."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        internal_id = text_of(job.get("internal_job_id"))
        metadata, offices = dicts(job.get("metadata")), dicts(job.get("offices"))
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=text_of(job.get("absolute_url")) or self.source.url,
            apply_url=text_of(job.get("absolute_url")),
            translation_key=f"job:{internal_id}" if internal_id in translated else None,
            title=text_of(job.get("title")),
            department=next(filter(None, (text_of(d) for d in _list(job.get("departments")))), None),
            description_html=text_of(job.get("content")),
            locations=_locations(job, offices),
            employment_type_raw=_custom_field(metadata, _EMPLOYMENT_FIELD),
            workplace_raw=text_of(_custom_field(metadata, _WORKPLACE_FIELD)),
            date_posted_raw=text_of(job.get("first_published")) or text_of(job.get("updated_at")),
            salary_raw=_pay(job.get("pay_input_ranges"), metadata),
            stated_language=text_of(job.get("language")),
            country_hint=_office_country(offices),
            company=text_of(job.get("company_name")),
        )


def translated_jobs(jobs: list[dict[str, Any]]) -> set[str]:
    """Internal job ids whose posts on this board are in more than one language.

    Greenhouse publishes each language version of a job as its own post (own id, own
    `language`) under the job's `internal_job_id`; posts of one job in one language are
    location variants, not translations."""
    languages: dict[str, set[str]] = {}
    for job in jobs:
        internal_id, language = text_of(job.get("internal_job_id")), text_of(job.get("language"))
        if internal_id and language:
            languages.setdefault(internal_id, set()).add(language.lower())
    return {internal_id for internal_id, found in languages.items() if len(found) > 1}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _locations(job: dict[str, Any], offices: list[dict[str, Any]]) -> list[RawLocation]:
    """The post's own location text, split into places; the job's offices only when the post
    names none (offices belong to the job, so they may include other posts' places)."""
    location = job.get("location")
    text = text_of(location.get("name")) if isinstance(location, dict) else text_of(location)
    places = split_locations(text or "")
    if not places:
        places = [place for office in offices for place in split_locations(text_of(office.get("location")) or "")]
    return [RawLocation(raw=place) for place in places]


def _office_country(offices: list[dict[str, Any]]) -> str | None:
    """The one country all the job's offices are in ("San Francisco, CA, United States"), to
    settle namesake cities in the post's free-text location."""
    countries = set()
    for office in offices:
        text = text_of(office.get("location"))
        if text:
            countries.add(resolve_country(text.rsplit(",", 1)[-1]))
    return countries.pop() if len(countries) == 1 else None


def _custom_field(metadata: list[dict[str, Any]], name: re.Pattern[str]) -> Any:
    for field in metadata:
        if name.search(text_of(field.get("name")) or "") and field.get("value") not in (None, "", []):
            return field["value"]
    return None


def _pay(ranges: Any, metadata: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Pay transparency ranges (in cents; several zones in one currency become one span), else a
    `currency_range` custom field ({unit, min_value, max_value})."""
    ranges = [r for r in dicts(ranges) if number(r.get("min_cents")) or number(r.get("max_cents"))]
    if ranges:
        currency = text_of(ranges[0].get("currency_type"))
        same_currency = [r for r in ranges if text_of(r.get("currency_type")) == currency]
        lows = [low / 100 for r in same_currency if (low := number(r.get("min_cents"))) is not None]
        highs = [high / 100 for r in same_currency if (high := number(r.get("max_cents"))) is not None]
        period = _PERIOD_WORD.search(" ".join(text_of(r.get("title")) or "" for r in same_currency))
        return monetary_amount(
            min(lows) if lows else None,
            max(highs) if highs else None,
            currency,
            (period.group(1) or period.group(2)) if period else None,
        )
    for field in metadata:
        value = field.get("value")
        if field.get("value_type") == "currency_range" and isinstance(value, dict):
            return monetary_amount(
                number(value.get("min_value")), number(value.get("max_value")), text_of(value.get("unit")), None
            )
    return None
