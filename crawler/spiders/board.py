"""The template of a connector to a JSON job board: where the board's API is, how its listing is
paged, whether each job needs a detail request, and how a job's fields become a JobPosting.

A connector subclasses `JsonBoardSpider` and says only what its API does:

    class AcmeSpider(JsonBoardSpider):
        name = "acme"
        api_hosts = frozenset({"api.acme-ats.com"})
        jobs_at = ("data", "jobs")      # where the job list is in a listing answer
        total_at = ("meta", "total")    # where the answer states how many there are, if it does
        page_size = 50                  # None: the listing is one answer

        derive_api_url = staticmethod(listing_url)   # board URL → first listing URL

        def page_params(self, page): return {"page": str(page.number + 1), "per_page": "50"}
        def detail_url(self, job): ...               # only when the list lacks the text
        def detail_request(self, job): ...           # instead, when a detail is not a plain GET
        def job_posting(self, job): return self.posting(key=..., title=..., ...)

Where an API differs, a hook says how (each used by several connectors): `page_size_param`
and `page_size_at` (a page size the endpoint asks for, or the answer states), `next_page_url`
(answers that link their next page), `listing_body` (a feed that is not JSON), `note_page` (what
an answer states of all its jobs), `reads_whole_listing` with `listing_read` (jobs that are
language versions of one another), `detail_at`, `merge_detail`, `job_postings`.

The template does the rest the same way for every board: requests with the source's error
handling, bad JSON counted with its URL, jobs listed twice (pages shift while a posting closes)
read once, paging until a short or empty page or the stated total, `truncated_listing` when a
board stops short of what it says it has or repeats itself.
"""

from __future__ import annotations

import html
import math
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, NamedTuple

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameters, url_query_parameter

from crawler.extract import text_of
from crawler.items import JobPosting
from crawler.sources import Source
from crawler.spiders.base import SourceSpider


class Page(NamedTuple):
    """Which page of a listing a request asks for."""

    number: int  # from 0
    offset: int  # how many jobs come before it


def dig(data: Any, path: tuple[str, ...]) -> Any:
    """`data[path[0]][path[1]]...`, or None where a step is missing or not an object."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def dicts(value: Any) -> list[dict[str, Any]]:
    """The objects in a JSON list (anything else in it, or a value that is no list, is left out)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def count(value: Any) -> int | None:
    """A non-negative JSON integer (or its digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


def number(value: Any) -> float | None:
    """A JSON number, or a number sent as text ("81000.0"), if finite; else None (booleans too)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        found = float(value)
    except ValueError:
        return None
    return found if math.isfinite(found) else None


def html_sections(sections: Iterable[tuple[str | None, str | None]]) -> str | None:
    """A posting's text from its (heading, HTML body) sections in reading order, each body under
    its heading where it has one; None when every body is empty."""
    blocks = [f"<h3>{html.escape(heading)}</h3>\n{body}" if heading else body for heading, body in sections if body]
    return "\n".join(blocks) or None


class JsonBoardSpider(SourceSpider):
    """A job board read through its JSON API: listing pages, then a detail per job if needed."""

    jobs_at: tuple[str, ...] = ()  # path to the job list in a listing answer; () when the answer is the list
    total_at: tuple[str, ...] | None = None  # path to the stated number of jobs, if the API states it
    page_size: int | None = None  # jobs per listing page; None when the listing is one answer
    page_size_param: str | None = None  # an endpoint's query parameter that sets the page size (mirrors, tests)
    page_size_at: tuple[str, ...] | None = None  # path to the page size an answer states it was served at
    # Whether a page longer than asked for is the last: an API that ignored the page size is taken
    # to ignore the paging too. Otherwise it is a page of the server's own size, and paging goes on.
    longer_page_ends_listing: bool = False
    id_field: tuple[str, ...] = ("id",)  # path to a job's id in the listing
    detail_at: tuple[str, ...] = ()  # path to the job object in a detail answer, which is bad JSON without one
    headers: dict[str, str] = {}  # sent with every listing and detail request (an Accept, a tenant header)
    # Whether a listed job without an id is counted as `bad_posting` (the older connectors skip it unnoted).
    count_jobs_without_id: bool = True
    # Whether no job is read until the whole listing is in (a job's postings depend on the others:
    # which are language versions of one job); `listing_read` then sees them all first.
    reads_whole_listing: bool = False

    # -- what a connector may override -------------------------------------------------------

    def page_params(self, page: Page) -> dict[str, str]:
        """Query parameters asking for `page` (paged boards)."""
        return {}

    def listing_request(self, url: str, page: Page) -> scrapy.Request:
        """The request for one listing page: a GET of `url` with `page_params` by default."""
        return scrapy.Request(add_or_replace_parameters(url, self.page_params(page)) if self.page_size else url,
                              headers=self.headers)

    def note_page(self, data: Any, jobs: list[dict[str, Any]]) -> None:
        """Called with each listing answer before its jobs are read, for what the answer states
        of all of them (the company's name at its top, resources the jobs refer to)."""

    def listing_read(self, jobs: list[dict[str, Any]]) -> None:
        """With `reads_whole_listing`: called with every job listed, once, before any is read."""

    def listing_body(self, response: Response) -> Any:
        """A listing answer's data: its JSON by default (a feed in another format overrides
        this), or None after reporting why it is unreadable."""
        return self.json_body(response)

    def next_page_url(self, data: Any, response: Response) -> str | None:
        """The next listing page's URL where the answer links it (JSON:API's `links.next`, a
        cursor); None: the listing is paged by `page_params`, or this is its last page."""
        return None

    def detail_url(self, job: dict[str, Any]) -> str | None:
        """Where a listed job's full text is, when the listing lacks it; None: the listing has all."""
        return None

    def detail_request(self, job: dict[str, Any]) -> scrapy.Request | None:
        """The request for a listed job's full text: a GET of `detail_url` by default (an API
        that answers details to a POST overrides this); None: the listing has all."""
        url = self.detail_url(job)
        return scrapy.Request(url, headers=self.headers) if url else None

    def job_postings(self, job: dict[str, Any]) -> Iterable[JobPosting]:
        """A job (listing entry merged with its detail) as postings: by default the one
        `job_posting` makes; a connector whose jobs hold several languages gives one per language."""
        posting = self.job_posting(job)
        return [posting] if posting else []

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """A job as one posting; None when it cannot be one (no id)."""
        raise NotImplementedError

    def job_id(self, job: dict[str, Any]) -> str | None:
        return text_of(dig(job, self.id_field))

    # -- the machinery -----------------------------------------------------------------------

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.listed: list[dict[str, Any]] = []  # the listing's jobs, kept when it `reads_whole_listing`

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield self.first_listing(url)

    def first_listing(self, url: str) -> scrapy.Request:
        """The request for the first page of the listing at `url` (where a connector finds its
        listing on a board page first, it asks for it with this)."""
        self.page_size = self.page_size_in(url)
        return self._listing(url, Page(0, 0), seen=set(), total=None)

    def page_size_in(self, url: str) -> int | None:
        """The page size `url` asks for in its `page_size_param` parameter, else the connector's own."""
        stated = url_query_parameter(url, self.page_size_param) if self.page_size_param else None
        return int(stated) if stated and stated.isdigit() and int(stated) > 0 else self.page_size

    def _listing(self, url: str, page: Page, seen: set[str], total: int | None) -> scrapy.Request:
        request = self.listing_request(url, page)
        return request.replace(
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"url": url, "page": page, "seen": seen, "total": total},
        )

    def parse_listing(
        self, response: Response, url: str, page: Page, seen: set[str], total: int | None
    ) -> Iterator[JobPosting | scrapy.Request]:
        data = self.listing_body(response)
        if data is None:
            return
        jobs = dig(data, self.jobs_at) if self.jobs_at else data
        if not isinstance(jobs, list):
            where = ".".join(self.jobs_at) or "the answer"
            self.problem("bad_json", response.url, f"expected a list of jobs at {where}")
            return
        self.count_page()
        if page.number == 0 and self.total_at:  # later pages of some APIs state 0
            total = count(dig(data, self.total_at))

        fresh = []
        for job in dicts(jobs):
            job_id = self.job_id(job)
            if job_id is None:
                if self.count_jobs_without_id:
                    self.problem("bad_posting", response.url, "a job without an id")
            elif job_id not in seen:
                seen.add(job_id)
                fresh.append(job)
        self.note_page(data, dicts(jobs))
        if self.reads_whole_listing:
            self.listed += fresh
        else:
            yield from self._read(fresh)

        served = count(dig(data, self.page_size_at)) if self.page_size_at else None  # a capped server's own size
        linked = self.next_page_url(data, response)
        following = self._following_page(
            response, url, page, seen, total, len(jobs), served or self.page_size, bool(fresh), linked
        )
        if following:
            yield following
        elif self.reads_whole_listing:
            self.listing_read(self.listed)
            yield from self._read(self.listed)

    def _following_page(
        self, response: Response, url: str, page: Page, seen: set[str], total: int | None,
        listed: int, page_size: int | None, fresh: bool, linked: str | None,
    ) -> scrapy.Request | None:
        """The request for the page after `page` (which held `listed` jobs of `page_size`, some
        of them new if `fresh`, and linked the page after it if `linked`), or None at the end of
        the listing, reported when it ends short."""
        if total is not None and len(seen) >= total:
            return None
        following = Page(page.number + 1, page.offset + listed)
        if linked and fresh:
            return self._listing(linked, following, seen, total)
        full_page = page_size is not None and (
            listed == page_size if self.longer_page_ends_listing else listed >= page_size
        )
        if full_page and fresh:
            return self._listing(url, following, seen, total)
        if total is not None:
            stated = f"{'.'.join(self.total_at or ())} is {total}"
            if page_size is not None:
                ended = f"the listing ended at offset {page.offset} after {len(seen)}"
            else:
                ended = f"the pages held {len(seen)}" if page.number else f"the listing holds {len(seen)}"
            self.problem("truncated_listing", response.url, f"{stated}, {ended}")
        elif full_page:
            self.problem("truncated_listing", response.url, f"page {page.number + 1} repeats earlier jobs")
        return None

    def _read(self, jobs: list[dict[str, Any]]) -> Iterator[JobPosting | scrapy.Request]:
        """The listed jobs' postings, or the detail requests of those whose text is elsewhere."""
        for job in jobs:
            detail = self.detail_request(job)
            if detail:
                yield detail.replace(callback=self.parse_detail, errback=self.on_error, cb_kwargs={"job": job})
            else:
                yield from self._postings(job)

    def parse_detail(self, response: Response, job: dict[str, Any]) -> Iterator[JobPosting]:
        detail = self.json_body(response)
        if detail is None:
            return
        if not isinstance(dig(detail, self.detail_at) if self.detail_at else detail, dict):
            where = ".".join(self.detail_at) or "the answer"
            self.problem("bad_json", response.url, f"expected a job object at {where}")
            return
        self.count_page()
        yield from self._postings(self.merge_detail(job, detail))

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        """The job as the listing gave it, completed by its detail answer."""
        return {**job, **detail}

    def _postings(self, job: dict[str, Any]) -> Iterator[JobPosting]:
        yield from (posting for posting in self.job_postings(job) if posting is not None)
