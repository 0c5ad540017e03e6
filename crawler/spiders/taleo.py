"""Oracle Taleo (Enterprise) career sections, read through the search their own page calls.

A career section is `https://{tenant}.taleo.net/careersection/{section}/jobsearch.ftl?lang=en`.
Its search needs the section's portal number, which only its page states (`portalNo: '12345'`,
or `portal=12345` in a URL); a page without one (Taleo's "Career Section Unavailable") is
reported `bad_source_url`. Then, with headers `tz: GMT+00:00` and `tzname` (some sections answer
500 without them):

    POST https://{tenant}.taleo.net/careersection/rest/jobboard/searchjobs?lang=en&portal={portalNo}
    {"multilineEnabled": true, "pageNo": N}          (N from 1; no section in the path)

answers `{"requisitionList": [{jobId, contestNo, column: [...], linkedColumn, locationsColumns}],
"pagingData": {currentPageNo, pageSize (25 by default), totalCount}, "careerSectionUnAvailable"}`.
The columns are the section's own: `column[linkedColumn]` (0) is the title, `column[i]` for `i`
in `locationsColumns` a JSON list in a string (`'["US-MI-Dearborn"]'`, country-region-city
levels) or plain text, and another a date ("Oct 7, 2026", "09/02/2026", "14/May/2026").

The search has no text. The posting page `.../careersection/{section}/jobdetail.ftl?job=
{contestNo}&lang=en` is fetched as the detail and its description read when its markup carries
one (a JSON-LD JobPosting, or the `requisitionDescriptionInterface.descRequisition` block); most
sections fill that page by script, so their postings are stored without a description. Taleo
states no salary, employment type or language here.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import JsonRequest, Response, TextResponse
from w3lib.url import add_or_replace_parameters

from crawler.extract import extract_job_postings, text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page, count

_PORTAL = re.compile(r"portalNo\s*:\s*['\"]?(\d+)|portal=(\d+)")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d/%b/%Y", "%d-%b-%Y", "%Y-%m-%d", "%d.%m.%Y")
_DESCRIPTION_BLOCK = '//*[contains(@id, "requisitionDescriptionInterface") and contains(@id, "descRequisition")]'


def _lang(url: str) -> str:
    return (parse_qs(urlsplit(url).query).get("lang") or ["en"])[0]


def section_url(url: str) -> str | None:
    """The career section's search page for a section or posting URL, else None."""
    board = board_from_url(url, "taleo")
    if board is None or board.name == "rest":  # `/careersection/rest/...` is the API, no section
        return None
    return f"https://{board.netloc}/careersection/{board.name}/jobsearch.ftl?lang={_lang(url)}"


def posting_date(text: str | None, lang: str) -> str | None:
    """A date column as an ISO date; numeric dates month-first on US-English sections."""
    value = re.sub(r",\s*\d{1,2}:\d{2}.*$", "", (text or "").strip())  # "29/May/2026, 12:59:00 AM"
    numeric = ("%m/%d/%Y", "%d/%m/%Y") if lang.lower() in ("en", "en_us") else ("%d/%m/%Y", "%m/%d/%Y")
    for pattern in (*_DATE_FORMATS, *numeric):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def place(text: str) -> RawLocation:
    """`US-MI-Dearborn` → city Dearborn, region MI, country US; anything else as written."""
    levels = [part.strip() for part in re.split(r"(?<=\S)-(?=\S)", text)] if " - " not in text else [text]
    if len(levels) >= 3:
        # A coded region ("MI") leaves the rest to a hyphenated city ("Wilkes-Barre"); a named one
        # may hold hyphens itself ("Île-de-France").
        cut = 2 if re.fullmatch(r"[A-Z0-9]{1,3}", levels[1]) else len(levels) - 1
        return RawLocation(raw=text, country=levels[0], region="-".join(levels[1:cut]), city="-".join(levels[cut:]))
    # Two levels are country-region or region-city ("Arizona-Phoenix"): the resolver reads the text.
    return RawLocation(raw=text)


def places(value: Any) -> list[RawLocation]:
    """A location column: a JSON list of places in a string, or one place as text."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    texts = [text_of(v) for v in (value if isinstance(value, list) else [value])]
    return [place(text) for text in texts if text]


class TaleoSpider(JsonBoardSpider):
    name = "taleo"
    jobs_at = ("requisitionList",)
    total_at = ("pagingData", "totalCount")
    page_size = 25  # replaced by what the section states (pagingData.pageSize)
    id_field = ("jobId",)

    derive_api_url = staticmethod(section_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield scrapy.Request(url, callback=self.parse_section, errback=self.on_error)

    def parse_section(self, response: Response) -> Iterator[scrapy.Request]:
        page = response.text if isinstance(response, TextResponse) else ""
        portal = _PORTAL.search(page)
        if portal is None:
            self.problem("bad_source_url", response.url, "no portal number on the career section page (section unavailable?)")
            return
        # Not counted as a page read: it holds no postings, and a section whose search then
        # fails has read nothing (failed, not partial).
        self.section_page = response.url  # posting pages are fetched beside it
        search = urljoin(response.url, "/careersection/rest/jobboard/searchjobs")
        search = add_or_replace_parameters(search, {"lang": _lang(response.url), "portal": portal.group(1) or portal.group(2)})
        yield self.first_listing(search)

    def listing_request(self, url: str, page: Page) -> JsonRequest:
        return JsonRequest(url, data={"multilineEnabled": True, "pageNo": page.number + 1},
                           headers={"tz": "GMT+00:00", "tzname": "UTC"})

    def parse_listing(self, response: Response, **kwargs: Any) -> Iterator[JobPosting | scrapy.Request]:
        try:
            data = json.loads(response.body)
        except ValueError:
            data = None  # reported by the template
        if isinstance(data, dict):
            if data.get("careerSectionUnAvailable") is True and not data.get("requisitionList"):
                self.problem("bad_source_url", response.url, "Taleo says the career section is unavailable")
                return
            paging = data.get("pagingData")
            self.page_size = count(paging.get("pageSize") if isinstance(paging, dict) else None) or self.page_size
        yield from super().parse_listing(response, **kwargs)

    def detail_url(self, job: dict[str, Any]) -> str | None:
        return self._posting_page(getattr(self, "section_page", None), job)

    def parse_detail(self, response: Response, job: dict[str, Any]) -> Iterator[JobPosting]:
        self.count_page()
        description = None
        if isinstance(response, TextResponse):
            selector = Selector(text=response.text)
            nodes = extract_job_postings(selector, response.url).postings
            description = next((text_of(n.get("description")) for n in nodes if text_of(n.get("description"))), None)
            description = description or text_of(selector.xpath(_DESCRIPTION_BLOCK).get())
        yield from self._postings({**job, "description": description} if description else job)

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One requisition (with the `description` of its page, if read) as a JobPosting."""
        job_id = text_of(job.get("jobId"))
        if job_id is None:
            return None
        columns = job.get("column") if isinstance(job.get("column"), list) else []
        title_at = count(job.get("linkedColumn")) or 0
        located = [i for i in map(count, job.get("locationsColumns") or []) if i is not None and i < len(columns)] \
            if isinstance(job.get("locationsColumns"), list) else []
        others = [text_of(c) for i, c in enumerate(columns) if i != title_at and i not in located]
        lang = _lang(self.source.url)
        return self.posting(
            key=job_id,
            external_id=text_of(job.get("contestNo")) or job_id,
            url=self._posting_page(section_url(self.source.url), job) or self.source.url,
            title=text_of(columns[title_at]) if title_at < len(columns) else None,
            description_html=text_of(job.get("description")),
            locations=[loc for i in located for loc in places(columns[i])],
            date_posted_raw=next((d for d in (posting_date(t, lang) for t in others) if d), None),
        )

    @staticmethod
    def _posting_page(section_page: str | None, job: dict[str, Any]) -> str | None:
        number = text_of(job.get("contestNo")) or text_of(job.get("jobId"))
        if not section_page or not number:
            return None
        return urljoin(section_page, f"jobdetail.ftl?job={number}&lang={_lang(section_page)}")
