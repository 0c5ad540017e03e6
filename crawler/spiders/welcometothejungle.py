"""Welcome to the Jungle company pages, read through the search index their own pages query.

A company's jobs are at `www.welcometothejungle.com/{lang}/companies/{slug}/jobs[/{job slug}]`,
listed from the site's public Algolia index (with the search-only key every page publishes):
`POST https://csekhvms53-dsn.algolia.net/1/indexes/wttj_jobs_production_en/query` with `{"query":
"", "page": N (from 0), "hitsPerPage": 100, "facetFilters": [["organization.slug:{slug}"]]}` answers
`{"hits", "nbHits", "nbPages"}`. A hit: `objectID`, `name`, `slug`, `language` (stated),
`contract_type`, `remote` (fulltime, partial, punctual, no, unknown), `offices` [{city, state,
country, country_code}], `published_at`, `summary`, `key_missions`, `salary_minimum` / `_maximum` /
`_currency` / `_period`. The full text is the job's REST answer, `GET api.welcometothejungle.com/
api/v1/organizations/{slug}/jobs/{job slug}` → `{"job": {description, profile, recruitment_process
(HTML), apply_url, ...}}`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import JsonRequest

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, Page, dicts

SEARCH_HOST = "csekhvms53-dsn.algolia.net"
API_HOST = "api.welcometothejungle.com"
# The site's own search-only credentials (public: every page embeds them) and the Referer it allows.
SEARCH_HEADERS = {
    "x-algolia-application-id": "CSEKHVMS53",
    "x-algolia-api-key": "4bd8f6215d0cc52b26430765769e65a0",
    "Referer": "https://www.welcometothejungle.com/",
}
PAGE_SIZE = 100
SITE_LOCALES = {"en", "fr", "es", "cs", "sk"}  # the languages the site's pages come in
WORKPLACES = {"fulltime": "remote", "partial": "hybrid", "punctual": "hybrid", "no": "onsite"}
FULL_TEXT = ("description", "profile", "recruitment_process")  # the REST answer's sections
TEASER = ("summary", "key_missions")  # what the hit alone has


def listing_url(board_url: str) -> str | None:
    """The search index's query URL for a company URL as users paste it (its page, a job under
    it, its API URL), or None when it names no company."""
    board = board_from_url(board_url, "welcometothejungle")
    return f"https://{SEARCH_HOST}/1/indexes/wttj_jobs_production_en/query" if board else None


class WelcomeToTheJungleSpider(JsonBoardSpider):
    name = "welcometothejungle"
    api_hosts = frozenset({SEARCH_HOST, API_HOST})
    jobs_at = ("hits",)
    total_at = ("nbHits",)
    page_size = PAGE_SIZE
    id_field = ("objectID",)

    derive_api_url = staticmethod(listing_url)

    @property
    def company_slug(self) -> str | None:
        """The company's slug, as its URL names it."""
        board = board_from_url(self.source.url, "welcometothejungle")
        return board.name if board else None

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        query = {"query": "", "page": page.number, "hitsPerPage": PAGE_SIZE, "facetFilters": [[f"organization.slug:{self.company_slug}"]]}
        return JsonRequest(url, data=query, headers=SEARCH_HEADERS)

    def detail_url(self, job: dict[str, Any]) -> str | None:
        # On the API host, or beside the search endpoint the source names (a test server).
        slug = text_of(job.get("slug"))
        if not (self.company_slug and slug):
            return None
        start = urlsplit(self.source.endpoint) if self.source.endpoint else None
        origin = f"{start.scheme}://{start.netloc}" if start else f"https://{API_HOST}"
        return f"{origin}/api/v1/organizations/{self.company_slug}/jobs/{slug}"

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        full = detail.get("job")
        return {**job, **full} if isinstance(full, dict) else job

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One job (search hit with its REST answer) as a JobPosting; None without an id."""
        job_id = self.job_id(job)
        if job_id is None:
            return None
        language, slug = text_of(job.get("language")), text_of(job.get("slug"))
        locale = language if language in SITE_LOCALES else "en"
        url = f"https://www.welcometothejungle.com/{locale}/companies/{self.company_slug}/jobs/{slug}" if slug and self.company_slug else self.source.url
        workplace = WORKPLACES.get(text_of(job.get("remote")) or "")
        pay = (_first(job, "salary_minimum", "salary_min"), _first(job, "salary_maximum", "salary_max"))
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=url,
            apply_url=text_of(job.get("apply_url")),
            title=text_of(job.get("name")),
            description_html=_text(job, FULL_TEXT) or _text(job, TEASER),
            locations=_locations(job.get("offices"), remote=workplace == "remote"),
            employment_type_raw=text_of(job.get("contract_type")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("published_at")),
            salary_raw=monetary_amount(*pay, text_of(job.get("salary_currency")), text_of(job.get("salary_period"))),
            stated_language=language,
        )


def _first(job: dict[str, Any], *keys: str) -> str | None:
    return next(filter(None, (text_of(job.get(key)) for key in keys)), None)


def _text(job: dict[str, Any], sections: tuple[str, ...]) -> str | None:
    """The sections' HTML in order; a list (the hit's key missions) as its points."""
    parts = []
    for value in (job.get(section) for section in sections):
        points = [text_of(point) for point in value] if isinstance(value, list) else []
        parts.append("<ul>" + "".join(f"<li>{p}</li>" for p in points if p) + "</ul>" if any(points) else text_of(value))
    return "\n".join(filter(None, parts)) or None


def _locations(offices: Any, remote: bool) -> list[RawLocation]:
    places = []
    for office in dicts(offices):
        city = text_of(office.get("city")) or text_of(office.get("local_city"))
        region = text_of(office.get("state")) or text_of(office.get("local_state"))
        country = text_of(office.get("country_code")) or text_of(office.get("country"))
        raw = ", ".join(part for part in (city, region, text_of(office.get("country")) or country) if part)
        if raw:
            places.append(RawLocation(raw=raw, city=city, region=region, country=country, remote=remote))
    return places
