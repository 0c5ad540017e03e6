"""Rippling job boards, read through Rippling's public Job Board API.

A board is `https://ats.rippling.com/{board}/jobs` (postings at `/{board}/jobs/{uuid}`). Its
listing is `GET https://api.rippling.com/platform/api/ats/v1/board/{board}/jobs`: a bare JSON
array, every open job, unpaged, each `{uuid, name, url, department {id, label}, workLocation
{id, label}}` where the label reads "Remote (United States)", "Hybrid (Toronto, CA)" or
"On-site (New York, NY)". The listing has no text or date, so each job is read from
`GET .../board/{board}/jobs/{uuid}`: `description` (not a string: named HTML sections, `role`,
`company` and sometimes more), `department` {label}, `employmentType` (a word or {label}),
`workLocations` (strings like the label above), `createdOn` (ISO with offset), `url` and
`payRangeDetails` [{minValue, maxValue, currency, frequency ("Annual", "Hourly")}] (empty when
none is set). Rippling states no language.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, dicts, number

API_HOST = "api.rippling.com"
# "Remote (United States)": how the job is worked, then where.
WORKPLACE_LABEL = re.compile(r"\s*(remote|hybrid|on-?site|in[- ]office)\s*\((.*)\)\s*$", re.I)
PERIODS = {"annual": "YEAR", "annually": "YEAR", "yearly": "YEAR", "monthly": "MONTH", "weekly": "WEEK", "daily": "DAY", "hourly": "HOUR"}


def listing_url(board_url: str) -> str | None:
    """The API listing for a board URL as users paste it (`ats.rippling.com/acme/jobs`, a
    posting under it), or None when it names no board."""
    board = board_from_url(board_url, "rippling")
    return f"https://{API_HOST}/platform/api/ats/v1/board/{board.name}/jobs" if board else None


class RipplingSpider(JsonBoardSpider):
    name = "rippling"
    api_hosts = frozenset({API_HOST})
    id_field = ("uuid",)
    headers = {"Accept": "application/json"}

    derive_api_url = staticmethod(listing_url)

    def detail_url(self, job: dict[str, Any]) -> str | None:
        # Under the listing URL the crawl started from (the endpoint, in tests), without its query.
        uuid, start = text_of(job.get("uuid")), urlsplit(self.api_url() or "")
        return urlunsplit((*start[:2], f"{start.path.rstrip('/')}/{uuid}", "", "")) if uuid else None

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Rippling job (listing entry with its detail) as a JobPosting; None without a uuid."""
        uuid = text_of(job.get("uuid"))
        if uuid is None:
            return None
        board = board_from_url(self.source.url, "rippling")
        labels = [text_of(place) for place in job.get("workLocations")] if isinstance(job.get("workLocations"), list) else []
        labels = [label for label in labels if label] or [_label(job.get("workLocation"))]
        locations, workplaces = [], []
        for label in filter(None, labels):
            found = WORKPLACE_LABEL.match(label)
            workplaces.append(found.group(1) if found else None)
            remote = bool(found) and found.group(1).lower() == "remote"
            locations.append(RawLocation(raw=found.group(2).strip() if found else label, remote=remote))
        pay = next(iter(dicts(job.get("payRangeDetails"))), {})
        period = text_of(pay.get("frequency"))
        return self.posting(
            key=uuid,
            external_id=uuid,
            url=text_of(job.get("url")) or (f"https://{board.netloc}/{board.name}/jobs/{uuid}" if board else self.source.url),
            title=text_of(job.get("name")) or text_of(job.get("title")),
            department=_label(job.get("department")),
            description_html=_description(job.get("description")),
            locations=locations,
            employment_type_raw=_label(job.get("employmentType")),
            workplace_raw=next(filter(None, workplaces), None),
            date_posted_raw=text_of(job.get("createdOn")),
            salary_raw=monetary_amount(
                number(pay.get("minValue")), number(pay.get("maxValue")), text_of(pay.get("currency")),
                PERIODS.get((period or "").lower(), period),
            ),
        )


def _label(value: Any) -> str | None:
    return text_of(value.get("label")) or text_of(value) if isinstance(value, dict) else text_of(value)


def _description(value: Any) -> str | None:
    """The role first, then any other sections, the company's blurb last."""
    if not isinstance(value, dict):
        return text_of(value)
    order = ["role", *(key for key in value if key not in ("role", "company")), "company"]
    return "\n".join(filter(None, (text_of(value.get(key)) for key in order))) or None
