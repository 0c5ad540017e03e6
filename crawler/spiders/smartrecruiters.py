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

from collections import defaultdict
from typing import Any

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, dig, html_sections, number

API_HOST = "api.smartrecruiters.com"
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


class SmartRecruitersSpider(JsonBoardSpider):
    name = "smartrecruiters"
    api_hosts = frozenset({API_HOST})
    jobs_at = ("content",)
    total_at = ("totalFound",)
    page_size = 100  # the most the Posting API gives per page
    page_size_at = ("limit",)
    longer_page_ends_listing = True
    reads_whole_listing = True  # a job's language versions are postings of their own
    translation_keys: dict[str, str] = {}  # posting id → its job's translation key, once the listing is read

    derive_api_url = staticmethod(listing_url)

    def page_params(self, page: Page) -> dict[str, str]:
        return {"offset": str(page.offset), "limit": str(self.page_size)}

    def listing_read(self, jobs: list[dict[str, Any]]) -> None:
        self.translation_keys = translation_keys({self.job_id(job) or "": job for job in jobs})

    def detail_url(self, job: dict[str, Any]) -> str | None:
        # The endpoint's own query (a mirror's, or a `country=` filter) is the listing's only.
        return f"{(self.api_url() or '').split('?')[0].rstrip('/')}/{self.job_id(job)}"

    def job_postings(self, job: dict[str, Any]) -> list[JobPosting | None]:
        return [self.job_posting(job, self.translation_keys.get(self.job_id(job) or ""))]

    def job_posting(self, job: dict[str, Any], translation_key: str | None = None) -> JobPosting | None:
        """One posting (summary and detail merged) as a JobPosting; None when it has no id."""
        posting_id = text_of(job.get("id"))
        if posting_id is None:
            return None
        location = job.get("location") if isinstance(job.get("location"), dict) else {}
        employment = job.get("typeOfEmployment") if isinstance(job.get("typeOfEmployment"), dict) else {}
        company = company_identifier(self.source.url)
        page = f"https://jobs.smartrecruiters.com/{company}/{posting_id}" if company else self.source.url
        return self.posting(
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
            company=_label(job.get("company"), "name"),
        )


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
    sections = dig(job_ad, ("sections",))
    parts = [dig(sections, (name,)) for name in SECTIONS]
    return html_sections((text_of(dig(part, ("title",))), text_of(dig(part, ("text",)))) for part in parts)


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
            latitude=number(location.get("latitude")),
            longitude=number(location.get("longitude")),
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
