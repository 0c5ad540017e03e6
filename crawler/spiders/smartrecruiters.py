"""SmartRecruiters career sites, read through the public Posting API.

The listing, `GET https://api.smartrecruiters.com/v1/companies/{company}/postings?offset=N
&limit=100`, answers `{"offset", "limit", "totalFound", "content": [...]}` one page at a time;
each posting summary carries `id`, `name` (the title), `refNumber`, `releasedDate`, `company`
{identifier, name}, `location` {city, region, country (lower-case alpha-2), remote, hybrid,
fullLocation, latitude, longitude}, `department` {label}, `typeOfEmployment` {id, label} and
`language` {code, label}. The job text is only in the detail, `GET .../postings/{id}`: the same
fields plus `jobAd.sections` {companyDescription, jobDescription, qualifications,
additionalInformation}, each {title, text (HTML)}, `postingUrl` and `applyUrl`.

A job published in several languages is several postings (own id, own `language`) sharing the
job's `refNumber`. The Posting API states no pay.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any, AsyncIterator, Iterator

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameters

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import Source, board_from_url
from crawler.spiders.base import SourceSpider

API_HOST = "api.smartrecruiters.com"
PAGE_SIZE = 100  # the most the Posting API gives per page
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def company_identifier(board_url: str) -> str | None:
    """The company identifier in a career site URL as users paste it
    (`careers.smartrecruiters.com/Acme`, `jobs.smartrecruiters.com/Acme/744000-engineer`)."""
    board = board_from_url(board_url, "smartrecruiters")
    return board.name if board else None


def listing_url(board_url: str) -> str | None:
    """The Posting API listing URL (without paging) for a career site URL, or None."""
    company = company_identifier(board_url)
    return f"https://{API_HOST}/v1/companies/{company}/postings" if company else None


class SmartRecruitersSpider(SourceSpider):
    name = "smartrecruiters"
    api_hosts = frozenset({API_HOST})

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.company = company_identifier(source.url)
        self.listed: dict[str, dict[str, Any]] = {}  # posting id → summary, over all pages

    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        base = self.api_url()
        if base is None:
            return
        # The endpoint's own query (a mirror's, or a `country=` filter) is kept on every page.
        yield self._page_request(base, offset=0)

    def _page_request(self, base: str, offset: int) -> scrapy.Request:
        return scrapy.Request(
            add_or_replace_parameters(base, {"offset": str(offset), "limit": str(PAGE_SIZE)}),
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"base": base, "offset": offset},
        )

    def parse_listing(self, response: Response, base: str, offset: int) -> Iterator[scrapy.Request]:
        data = self.json_body(response)
        if data is None:
            return
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, list):
            self.problem("bad_json", response.url, 'expected an object with a "content" list')
            return
        self.count_page()

        fresh = 0
        for summary in content:
            posting_id = text_of(summary.get("id")) if isinstance(summary, dict) else None
            if posting_id is None:
                self.problem("bad_posting", response.url, "a posting without an id")
            elif posting_id not in self.listed:  # pages shift when a posting closes mid-crawl
                self.listed[posting_id] = summary
                fresh += 1

        total = _count(data.get("totalFound"))
        limit = _count(data.get("limit")) or PAGE_SIZE
        read = offset + len(content)
        # Without a stated total, only a full page hints at another one.
        more = read < total if total is not None else len(content) == limit
        if more:
            if len(content) == limit and fresh:
                yield self._page_request(base, read)
                return
            # A short page before the stated total, or a server that ignores `offset`: what
            # lies past this page cannot be reached.
            why = f"ends at {read} of totalFound {total}" if fresh or not content else "repeats earlier postings"
            self.problem("truncated_listing", response.url, f"the page at offset {offset} {why}")
        yield from self._detail_requests(base)

    def _detail_requests(self, base: str) -> Iterator[scrapy.Request]:
        """Once the listing is read: one detail request per posting, each knowing its
        translation key (which needs every posting of the board)."""
        keys = translation_keys(self.listed)
        postings = base.split("?")[0].rstrip("/")
        for posting_id, summary in self.listed.items():
            yield scrapy.Request(
                f"{postings}/{posting_id}",
                callback=self.parse_detail,
                errback=self.on_error,
                cb_kwargs={"summary": summary, "translation_key": keys.get(posting_id)},
            )

    def parse_detail(
        self, response: Response, summary: dict[str, Any], translation_key: str | None
    ) -> Iterator[JobPosting]:
        detail = self.json_body(response)
        if detail is None:
            return
        if not isinstance(detail, dict):
            self.problem("bad_json", response.url, "expected a posting object")
            return
        self.count_page()
        posting = self.job_posting({**summary, **detail}, translation_key)
        if posting is not None:
            yield posting

    def job_posting(self, job: dict[str, Any], translation_key: str | None = None) -> JobPosting | None:
        """One posting (summary and detail merged) as a JobPosting; None when it has no id."""
        posting_id = text_of(job.get("id"))
        if posting_id is None:
            return None
        location = job.get("location") if isinstance(job.get("location"), dict) else {}
        employment = job.get("typeOfEmployment") if isinstance(job.get("typeOfEmployment"), dict) else {}
        page = f"https://jobs.smartrecruiters.com/{self.company}/{posting_id}" if self.company else self.source.url
        fields: dict[str, Any] = dict(
            key=posting_id,
            external_id=posting_id,
            url=text_of(job.get("postingUrl")) or page,
            apply_url=text_of(job.get("applyUrl")),
            translation_key=translation_key,
            title=text_of(job.get("name")),
            department=_label(job.get("department")),
            description_html=_job_ad(job.get("jobAd")),
            locations=_locations(location),
            employment_type_raw=[text for text in (text_of(employment.get(name)) for name in ("label", "id")) if text],
            workplace_raw=_workplace(location),
            date_posted_raw=text_of(job.get("releasedDate")),
            stated_language=_language(job),
        )
        company = _label(job.get("company"), "name")
        if company:
            fields["company"] = company
        return self.posting(**fields)


def translation_keys(listed: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Posting id → translation key, for the postings that are language versions of one job.

    Versions share the job's `refNumber` and differ in `language`. Postings of one refNumber in
    one language are the job offered in several places: then versions are matched by place too.
    A group counts only when each of its postings is in a different, stated language."""
    by_ref: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for posting_id, summary in listed.items():
        ref = text_of(summary.get("refNumber"))
        if ref:
            by_ref[ref].append((posting_id, summary))
    keys = {}
    for ref, members in by_ref.items():
        groups = {f"ref:{ref}": members}
        if not _one_per_language(members):
            groups = defaultdict(list)
            for posting_id, summary in members:
                groups[f"ref:{ref}@{_place(summary)}"].append((posting_id, summary))
        for key, group in groups.items():
            if len(group) > 1 and _one_per_language(group):
                keys.update((posting_id, key) for posting_id, _ in group)
    return keys


def _one_per_language(members: list[tuple[str, dict[str, Any]]]) -> bool:
    languages = [_language(summary) for _, summary in members]
    return None not in languages and len(set(languages)) == len(languages)


def _place(summary: dict[str, Any]) -> str:
    location = summary.get("location") if isinstance(summary.get("location"), dict) else {}
    return ",".join((text_of(location.get(name)) or "").lower() for name in ("city", "region", "country"))


def _language(job: dict[str, Any]) -> str | None:
    language = job.get("language")
    return text_of(language.get("code")) if isinstance(language, dict) else None


def _label(value: Any, name: str = "label") -> str | None:
    return text_of(value.get(name)) if isinstance(value, dict) else text_of(value)


def _job_ad(job_ad: Any) -> str | None:
    """The four job ad sections in the order the posting page shows them, each under its title."""
    sections = job_ad.get("sections") if isinstance(job_ad, dict) else None
    if not isinstance(sections, dict):
        return None
    parts = []
    for name in SECTIONS:
        section = sections.get(name)
        text = text_of(section.get("text")) if isinstance(section, dict) else None
        if text:
            title = text_of(section.get("title"))
            parts.append(f"<h3>{html.escape(title)}</h3>\n{text}" if title else text)
    return "\n".join(parts) or None


def _locations(location: dict[str, Any]) -> list[RawLocation]:
    city, region, country = (text_of(location.get(name)) for name in ("city", "region", "country"))
    full = text_of(location.get("fullLocation"))
    if not (city or region or country or full):
        return []
    return [
        RawLocation(
            raw=full or "",
            city=city,
            region=region,
            country=country.upper() if country else None,
            postal_code=text_of(location.get("postalCode")),
            latitude=_coordinate(location.get("latitude")),
            longitude=_coordinate(location.get("longitude")),
            # A remote posting's place says where applicants may live, not where an office is.
            remote=location.get("remote") is True and location.get("hybrid") is not True,
        )
    ]


def _workplace(location: dict[str, Any]) -> str | None:
    if location.get("hybrid") is True:
        return "hybrid"
    if location.get("remote") is True:
        return "remote"
    return "onsite" if location.get("remote") is False else None


def _coordinate(value: Any) -> float | None:
    """SmartRecruiters sends coordinates as strings ("52.52"); anything unreadable is dropped."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
