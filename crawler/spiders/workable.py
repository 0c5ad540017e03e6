"""Workable job boards, read through the public job widget API.

One request per board: `GET https://apply.workable.com/api/v1/widget/accounts/{account}?details=true`
answers `{"name": <account name>, "description": ..., "jobs": [...]}`, unpaged and without a
total. With `details=true` each job carries its text, so no per-job request is needed.

Why this endpoint: the careers page's own API (`POST /api/v3/accounts/{account}/jobs`, paged
with a `token`) lists jobs without their text, which takes one more request per job
(`GET /api/v2/accounts/{account}/jobs/{shortcode}`). That detail states the job's `language`,
`workplace` (on_site / hybrid / remote) and salary, which the widget lacks; the widget gives
the whole board, texts included, in one request, and the language is then told from the
(long) description.

Each job carries `shortcode` (the id in every job URL), `title`, `code`, `department`,
`employment_type` ("Full-time", "Contract"...), `telecommuting` (remote: true / false, nothing
about hybrid), `url` / `shortlink` (the posting page), `application_url`, `published_on`,
`created_at` (ISO dates), the primary place as flat `city`, `state`, `country` (a name),
`locations` [{city, region, country, countryCode, hidden}] (every place of the job), and the
text as `description` (plus `requirements` and `benefits` on some boards; `full_description`
on others). Some boards list a job once per place, repeating the whole job.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, dicts, html_sections

API_HOST = "apply.workable.com"


def listing_url(board_url: str) -> str | None:
    """The widget API URL for a board URL as users paste it (`apply.workable.com/acme/`, or a
    posting `apply.workable.com/acme/j/1A2B3C4D5E/`), or None when it names no account."""
    account = board_from_url(board_url, "workable")
    if account is None:
        return None
    return f"https://{API_HOST}/api/v1/widget/accounts/{account.name}?details=true"


class WorkableSpider(JsonBoardSpider):
    name = "workable"
    api_hosts = frozenset({API_HOST})
    jobs_at = ("jobs",)
    id_field = ("shortcode",)
    count_jobs_without_id = False
    account_name: str | None = None  # what the answer starts with
    entries: dict[str, list[dict[str, Any]]] = {}  # shortcode → the job's every entry in the listing

    derive_api_url = staticmethod(listing_url)

    def note_page(self, data: Any, jobs: list[dict[str, Any]]) -> None:
        self.account_name = text_of(data.get("name"))
        self.entries = merged_jobs(jobs)

    def job_postings(self, job: dict[str, Any]) -> list[JobPosting | None]:
        return [self.job_posting(job, self.entries.get(self.job_id(job) or ""), self.account_name)]

    def job_posting(self, job: dict[str, Any], entries: list[dict[str, Any]] | None = None, company: str | None = None) -> JobPosting | None:
        """One widget job as a JobPosting; None when it has no shortcode. `entries` are every
        listing entry of the job (older boards repeat a job once per place), default `[job]`;
        `company` is the account name the answer starts with."""
        shortcode = text_of(job.get("shortcode"))
        if shortcode is None:
            return None
        remote = job.get("telecommuting") is True
        return self.posting(
            key=shortcode,
            external_id=shortcode,
            url=text_of(job.get("url")) or text_of(job.get("shortlink")) or self._posting_url(shortcode),
            apply_url=text_of(job.get("application_url")),
            title=text_of(job.get("title")),
            department=text_of(job.get("department")),
            description_html=_description(job),
            locations=_locations(entries or [job], remote),
            employment_type_raw=text_of(job.get("employment_type")),
            # `telecommuting: false` covers on-site and hybrid alike, so it states nothing.
            workplace_raw="remote" if remote else None,
            date_posted_raw=text_of(job.get("published_on")) or text_of(job.get("created_at")),
            company=company,
        )

    def _posting_url(self, shortcode: str) -> str:
        """The public posting page, for a job that names none: `apply.workable.com/{account}/j/{shortcode}/`
        (the source's own URL when that names no account)."""
        account = board_from_url(self.source.url, "workable")
        return f"https://{API_HOST}/{account.name}/j/{quote(shortcode)}/" if account else self.source.url


def merged_jobs(jobs: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The listing's entries grouped by shortcode, in listing order: one group per job."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for job in jobs:
        shortcode = text_of(job.get("shortcode")) if isinstance(job, dict) else None
        if shortcode is not None:
            groups.setdefault(shortcode, []).append(job)
    return groups


def _description(job: dict[str, Any]) -> str | None:
    """The whole text as the posting page shows it: `full_description` where the board gives
    one, else the description followed by the requirements and benefits sections."""
    return text_of(job.get("full_description")) or html_sections(
        (None, text_of(job.get(name))) for name in ("description", "requirements", "benefits")
    )


def _locations(entries: list[dict[str, Any]], remote: bool) -> list[RawLocation]:
    """Every place of the job: the structured `locations` of each entry (the ones the board
    hides left out), else the entry's flat city / state / country. A remote job's places say
    where applicants may work from."""
    found: list[RawLocation] = []
    for entry in entries:
        places = [place for place in dicts(entry.get("locations")) if place.get("hidden") is not True]
        if places:
            found += [
                RawLocation(
                    city=text_of(place.get("city")),
                    region=text_of(place.get("region")),
                    country=text_of(place.get("countryCode")) or text_of(place.get("country")),
                    remote=remote,
                )
                for place in places
            ]
        else:
            found.append(
                RawLocation(
                    city=text_of(entry.get("city")),
                    region=text_of(entry.get("state")),
                    country=text_of(entry.get("country")),
                    remote=remote,
                )
            )
    unique: list[RawLocation] = []
    for location in found:
        if (location.city or location.region or location.country) and location not in unique:
            unique.append(location)
    return unique
