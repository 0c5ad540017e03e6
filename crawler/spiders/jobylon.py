"""Jobylon (Swedish ATS) company boards: the company's JSON feed, else its job widget.

Feed (jobylon/jbl-developer "Feed API"): `GET https://feed.jobylon.com/feeds/{hash}/?format=json`
answers a bare array, unpaged, of jobs `{id, title, slug, descr (HTML), skills (HTML), function,
experience, employment_type ("Full-time"), from_date, to_date ("2019-12-31"), language ("en"),
company {id, slug, name, ...}, departments [{department {id, descr}}], categories [{category
{id, text}}], locations [{location {text, city, area_1, municipality, postal_code, country,
country_short ("SE"), place_id, url}}], urls {ad, apply}}`. The hash is handed to a customer
(no other auth); boards are known by their feed URL.

Widget (what `cdn.jobylon.com/embedder.js` with `jbl_company_id` loads, and what a company page
`emp.jobylon.com/companies/{id}-{slug}/` names by its id): `GET https://cdn.jobylon.com/jobs/
companies/{id}/embed/v2/?target=jobylon-jobs-widget&page_size=100` answers HTML carrying every
open job (paged in the browser only) as a JavaScript literal, not JSON: `JBL.embed_v2['jobs'] =
[{id: '355795', url: '/jobs/355795-{slug}/', title: '...', company: '...', klass:
{'job-lang-sv': true, ...}, locations: [...], locations_text: 'Varberg', workspace: '...',
employment_type: 'Deltid', language: 'Swedish', to_date: '30 april 2026', ...}]` (strings
escaped \\uXXXX). It has no text: each job's page `https://emp.jobylon.com{url}` carries
schema.org JobPosting JSON-LD, read as the job's detail. The widget endpoint and the pages it
links to are evidenced by saved widget pages and open-source scrapers, not by Jobylon's docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response, TextResponse

from crawler.extract import extract_job_postings, text_of, to_item
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, dicts
from pipelines.location import split_locations

FEED_HOST, WIDGET_HOST, PAGE_HOST = "feed.jobylon.com", "cdn.jobylon.com", "emp.jobylon.com"
WIDGET = "_widget"  # marks a job read from the widget (its page still to read)
JSON_LD = "_json_ld"
_JOBS = re.compile(r"JBL\.embed_v2\['jobs'\]\s*=\s*\[(.*?)\];\s*</script>", re.DOTALL)
_JOB_START = re.compile(r"\{\s*id:\s*'")
_FIELD = re.compile(r"(\w+):\s*'((?:[^'\\]|\\.)*)'")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)")


def listing_url(board_url: str) -> str | None:
    """The feed (as JSON) or widget URL for a board URL as users paste it: a feed URL, a widget
    URL `cdn.jobylon.com/jobs/companies/{id}/embed/...`, a company page `emp.jobylon.com/
    [{lang}/]companies/{id}-{slug}/`; None when it names no board."""
    parts = urlsplit(board_url)
    feed = re.match(r"/feeds/([0-9A-Za-z]+)", parts.path)
    if parts.hostname == FEED_HOST:
        return f"https://{FEED_HOST}/feeds/{feed.group(1)}/?format=json" if feed else None
    widget = re.match(r"/jobs/companies/(\d+)(/|$)", parts.path)
    board = board_from_url(board_url, "jobylon")
    company = widget.group(1) if widget and parts.hostname == WIDGET_HOST else None
    if board and board.name:
        company = (re.match(r"\d+", board.name) or [None])[0]
    return f"https://{WIDGET_HOST}/jobs/companies/{company}/embed/v2/?target=jobylon-jobs-widget&page_size=100" if company else None


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), text)


def widget_jobs(page: str) -> list[dict[str, Any]] | None:
    """The jobs of a widget page (the first value of each field per job), None if it has no list."""
    found = _JOBS.search(page)
    if not found:
        return None
    block = found.group(1)
    starts = [m.start() for m in _JOB_START.finditer(block)]
    jobs = []
    for start, end in zip(starts, [*starts[1:], len(block)]):
        chunk = block[start:end]
        job: dict[str, Any] = {WIDGET: True}
        for name, value in _FIELD.findall(chunk):
            job.setdefault(name, _unescape(value))
        language = re.search(r"'job-lang-([a-z]{2})':\s*true", chunk)
        job["lang"] = language.group(1) if language else None
        jobs.append(job)
    return jobs


class JobylonSpider(JsonBoardSpider):
    name = "jobylon"
    api_hosts = frozenset({FEED_HOST, WIDGET_HOST, PAGE_HOST})

    derive_api_url = staticmethod(listing_url)

    def parse_listing(self, response: Response, url: str, page: Page, seen: set[str], total: int | None) -> Iterator[Any]:
        if "/embed/" not in urlsplit(response.url).path:
            yield from super().parse_listing(response, url, page, seen, total)
            return
        jobs = widget_jobs(response.text) if isinstance(response, TextResponse) else None
        if jobs is None:
            self.problem("bad_json", response.url, "no JBL.embed_v2['jobs'] list in the widget page")
            return
        self.count_page()
        for job in jobs:
            job_id = text_of(job.get("id"))
            if job_id is None:
                self.problem("bad_posting", response.url, "a job without an id")
            elif job_id not in seen:
                seen.add(job_id)
                yield response.follow(self.detail_url(job, response.url), callback=self.parse_detail,
                                      errback=self.on_error, cb_kwargs={"job": job})

    def detail_url(self, job: dict[str, Any], listing: str = "") -> str | None:
        # The widget links to the job's page on emp.jobylon.com; elsewhere (a mirror) beside the list.
        if not job.get(WIDGET):
            return None
        base = f"https://{PAGE_HOST}" if urlsplit(listing).hostname == WIDGET_HOST else listing
        return urljoin(base, text_of(job.get("url")) or f"/jobs/{job.get('id')}/")

    def parse_detail(self, response: Response, job: dict[str, Any]) -> Iterator[JobPosting]:
        nodes = extract_job_postings(response.selector, response.url).postings if isinstance(response, TextResponse) else []
        self.count_page()
        if not nodes:  # the widget's fields are still worth keeping
            self.problem("bad_posting", response.url, "no schema.org JobPosting on the job page")
        yield from self._postings({**job, JSON_LD: nodes[0] if nodes else {}, "_page": response.url})

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """A feed job, or a widget job with its page's JSON-LD, as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        if job.get(WIDGET):
            return self._widget_posting(job_id, job)
        urls = job.get("urls") if isinstance(job.get("urls"), dict) else {}
        company = job.get("company") if isinstance(job.get("company"), dict) else {}
        departments = [_inner(entry, "department") for entry in dicts(job.get("departments"))]
        text = [text_of(job.get(part)) for part in ("descr", "skills")]
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=text_of(urls.get("ad")) or self.source.url,
            apply_url=text_of(urls.get("apply")),
            title=text_of(job.get("title")),
            company=text_of(company.get("name")) or self.source.company,
            department=next((text_of(d.get("descr")) for d in departments if text_of(d.get("descr"))), None),
            description_html="\n".join(part for part in text if part) or None,
            locations=[loc for loc in (_location(_inner(entry, "location")) for entry in dicts(job.get("locations"))) if loc],
            employment_type_raw=text_of(job.get("employment_type")),
            date_posted_raw=text_of(job.get("from_date")),
            valid_through_raw=text_of(job.get("to_date")),
            stated_language=text_of(job.get("language")),
        )

    def _widget_posting(self, job_id: str, job: dict[str, Any]) -> JobPosting:
        page = text_of(job.get("_page")) or self.source.url
        node = job.get(JSON_LD) if isinstance(job.get(JSON_LD), dict) else {}
        item = to_item(node, source=self.source.name, page_url=page, company=text_of(job.get("company")) or self.source.company)
        item.key = item.external_id = job_id
        item.ats, item.stated_language, item.translation_key = self.name, text_of(job.get("lang")), None
        item.title = item.title or text_of(job.get("title"))
        item.employment_type_raw = item.employment_type_raw or text_of(job.get("employment_type"))
        item.workplace_raw = text_of(job.get("workspace"))
        if not item.locations:
            item.locations = [RawLocation(raw=place) for place in split_locations(text_of(job.get("locations_text")) or "")]
        return item


def _inner(entry: dict[str, Any], name: str) -> dict[str, Any]:
    """`{"location": {...}}` as the feed nests it, or the object itself if it is flat."""
    return entry[name] if isinstance(entry.get(name), dict) else entry


def _location(place: dict[str, Any]) -> RawLocation | None:
    city = text_of(place.get("city")) or text_of(place.get("municipality"))
    country = text_of(place.get("country_short")) or text_of(place.get("country"))
    raw = text_of(place.get("text")) or ", ".join(part for part in (city, text_of(place.get("country"))) if part)
    if not (raw or country):
        return None
    return RawLocation(raw=raw, city=city, region=text_of(place.get("area_1")), country=country,
                       postal_code=text_of(place.get("postal_code")))
