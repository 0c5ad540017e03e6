"""Lever job sites, read through the public Postings API.

`GET https://api.lever.co/v0/postings/{site}?mode=json&skip=N&limit=100` (sites on the EU
instance, `jobs.eu.lever.co/{site}`, are served by `api.eu.lever.co`) answers a JSON list of
postings, one page at a time: a page shorter than `limit` is the last. Lever states no total.

Each posting carries `id`, `text` (the title), `categories` {location, allLocations, team,
department, commitment}, `country` (ISO alpha-2), `workplaceType` (onsite / remote / hybrid /
unspecified), `description` (HTML; plain text on old postings), `lists` [{text, content: <li>
items}], `additional` (HTML), `hostedUrl`, `applyUrl`, `createdAt` (epoch ms) and `salaryRange`
{min, max, currency, interval: "per-year-salary", "per-hour-wage"...}. Lever says nothing of a
posting's language.
"""

from __future__ import annotations

import html
import re
from typing import Any

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, Page, dicts, html_sections
from pipelines.location import split_locations

API_HOSTS = {"us": "api.lever.co", "eu": "api.eu.lever.co"}


def listing_url(site_url: str) -> str | None:
    """The API URL (without paging) for a site URL as users paste it (`jobs.lever.co/acme`,
    `jobs.eu.lever.co/acme/<posting id>`), or None when it names no Lever site."""
    site = board_from_url(site_url, "lever")
    if site is None:
        return None
    api_host = API_HOSTS["eu" if site.eu else "us"]
    return f"https://{api_host}/v0/postings/{site.name}?mode=json"


class LeverSpider(JsonBoardSpider):
    name = "lever"
    api_hosts = frozenset(API_HOSTS.values())
    page_size = 100
    page_size_param = "limit"
    longer_page_ends_listing = True
    count_jobs_without_id = False

    derive_api_url = staticmethod(listing_url)

    def page_params(self, page: Page) -> dict[str, str]:
        return {"skip": str(page.offset), "limit": str(self.page_size)}

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Lever posting as a JobPosting; None when it has no id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        categories = job.get("categories") if isinstance(job.get("categories"), dict) else {}
        workplace = text_of(job.get("workplaceType"))
        if workplace and workplace.lower() == "unspecified":
            workplace = None
        remote = (workplace or "").lower() == "remote"
        all_locations = categories.get("allLocations")
        if not isinstance(all_locations, list) or not all_locations:
            all_locations = [categories.get("location")]
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=text_of(job.get("hostedUrl")) or self.source.url,
            apply_url=text_of(job.get("applyUrl")),
            title=text_of(job.get("text")),
            department=text_of(categories.get("department")) or text_of(categories.get("team")),
            description_html=_description(job),
            # A remote posting's locations say where applicants may live, not where an office is.
            locations=[
                RawLocation(raw=place, remote=remote)
                for text in all_locations
                for place in split_locations(text_of(text) or "")
            ],
            employment_type_raw=text_of(categories.get("commitment")),
            workplace_raw=workplace,
            date_posted_raw=job.get("createdAt") if isinstance(job.get("createdAt"), (int, float, str)) else None,
            salary_raw=_salary(job.get("salaryRange")),
            country_hint=text_of(job.get("country")),
        )


def _description(job: dict[str, Any]) -> str | None:
    """The posting's whole text: the description, then each list under its heading, then the
    closing `additional` section (the hosted page shows all three). Answers that carry only the
    plain-text versions (`descriptionPlain`, `additionalPlain`) give those."""
    lists = [(text_of(entry.get("text")), _items(entry.get("content"))) for entry in dicts(job.get("lists"))]
    return html_sections([
        (None, text_of(job.get("description")) or _plain(job.get("descriptionPlain"))),
        *lists,
        (None, text_of(job.get("additional")) or _plain(job.get("additionalPlain"))),
    ])


def _items(value: Any) -> str | None:
    items = text_of(value)
    return f"<ul>{items}</ul>" if items else None


def _plain(value: Any) -> str | None:
    """Plain text as HTML paragraphs, so that its line breaks survive cleaning."""
    text = text_of(value)
    if not text:
        return None
    return "".join(f"<p>{html.escape(paragraph.strip())}</p>" for paragraph in text.split("\n") if paragraph.strip())


def _salary(salary: Any) -> dict[str, Any] | None:
    if not isinstance(salary, dict):
        return None
    period = re.match(r"per-(hour|day|week|month|year)", text_of(salary.get("interval")) or "")
    return monetary_amount(
        salary.get("min"), salary.get("max"), text_of(salary.get("currency")), period.group(1) if period else None
    )
