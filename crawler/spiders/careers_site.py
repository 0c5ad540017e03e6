"""Any careers site that publishes schema.org JobPosting markup (what Google for Jobs reads).

From the careers URL the spider finds postings three ways: the sitemaps (robots.txt `Sitemap:`
lines and /sitemap.xml, indexes included), listing pages (links to postings and pagination), and
the hreflang language versions of listings and postings. It never leaves the source's hosts.

A large site may be crawled in parts side by side (JOBATLAS_SHARD, see crawler/crawl.py): every
part reads the shared pages (the careers URL, its next pages and language versions, the sitemaps)
and follows only the links from them that it owns, by a hash of the URL; below a page it owns, a
part follows every link, so nothing reached only through that page is lost.
"""

from __future__ import annotations

import functools
import zlib
from typing import Any, AsyncIterator, Callable, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.app_shell import ANSWERS, RenderChoice, handler_settings
from crawler.app_state import app_state_postings
from crawler.dom_fallback import dom_posting
from crawler.extract import (
    JOB_PATH_WORDS,
    ats_boards,
    canonical,
    declared_language,
    extract_job_postings,
    hreflang_alternates,
    job_links,
    listing_prefix,
    own_domain_board,
    pagination_links,
    to_item,
)
from crawler.items import JobPosting
from crawler.settings import shard_of
from crawler.sources import Source
from crawler.spiders.base import SourceSpider

HTML_TYPES = {"text/html", "application/xhtml+xml"}

# Share of U+FFFD replacement characters above which a body is taken as undecodable.
UNDECODABLE_RATIO = 0.01


def is_html(response: Response) -> bool:
    """An HTML page, judged by its declared type (a PDF or an image is never parsed as a page);
    a page served as text/plain or without a type counts when it starts like HTML."""
    if not isinstance(response, TextResponse):
        return False
    mime_type = response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
    if mime_type in HTML_TYPES:
        return True
    return mime_type in ("", "text/plain") and response.body.lstrip()[:1] == b"<"


class CareersSiteSpider(SourceSpider):
    name = "careers_site"
    custom_settings = handler_settings()  # pages that need a browser are rendered (crawler/render.py)

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        # ATS boards the site embeds or links (board URL → kind): crawled after this spider.
        self.boards: dict[str, str] = {}
        self.listing_prefix = listing_prefix(source.url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.render = RenderChoice(self)
        yield self._page_request(self.source.url, shared=True)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.source.url))
        # Robots and the conventional sitemap are optional: their absence is not a problem.
        yield scrapy.Request(f"{origin}/robots.txt", callback=self.parse_robots, errback=self.ignore_error)
        yield scrapy.Request(f"{origin}/sitemap.xml", callback=self.parse_sitemap, errback=self.ignore_error)

    # -- discovery ---------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            if self.on_source_host(url):
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        report = self._reporter(echo=not self.first_part)  # sitemaps are shared pages
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as error:
                report("bad_sitemap", response.url, str(error))
                return
        try:
            sitemap = Sitemap(body)
        except Exception as error:  # lxml raises several types on garbage; all mean the same here
            report("bad_sitemap", response.url, str(error))
            return
        whole_sitemap_is_jobs = bool(JOB_PATH_WORDS.search(urlsplit(response.url).path))
        for entry in sitemap:
            url = entry.get("loc", "")
            if not self.on_source_host(url):
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error)
            elif whole_sitemap_is_jobs or self._looks_like_job_url(url):
                for page in [url, *entry.get("alternate", [])]:
                    if self.on_source_host(page) and self.owns(page):
                        yield self._page_request(page)

    def parse_page(self, response: Response) -> Iterator[JobPosting | scrapy.Request]:
        hops = response.meta.get("hops", 0)
        shared = response.meta.get("shared", False)
        # Every part of a split crawl reads the shared pages, which say the same to all: only the
        # first part reports them and stores what they hold. (A failed fetch is each part's own,
        # and always reported, by `on_page_error`.)
        echo = shared and not self.first_part
        report = self._reporter(echo)
        if not is_html(response):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            report("not_html", response.url, content_type or "no Content-Type")
            return
        if not self.on_source_host(response.url):
            report("offsite_redirect", response.url, "redirected off the source's hosts")
            return
        text = response.text
        if text.count("\ufffd") > UNDECODABLE_RATIO * len(text):
            report("undecodable", response.url, f"declared encoding {response.encoding}")
        report(None)

        selector = response.selector
        extraction = extract_job_postings(selector, response.url)
        recipe = self.source.recipe
        if recipe and not extraction.postings and (response.meta.get("posting") or (recipe.postings is None and hops)):
            node = recipe.posting(selector, response.url)
            extraction.postings = [node] if node else []
        # Without markup, the jobs may be in the page's embedded application state (Next.js,
        # Nuxt, Redux, Apollo, Phenom), or in the JSON a rendered page fetched: read them, and
        # still follow the page's links as a listing's.
        in_state = [] if extraction.postings else app_state_postings(text, response.url, response.meta.get(ANSWERS, ()))
        # With nothing else, a page that is not the listing (the careers URL, its next pages and
        # language versions) may be read as a posting from its HTML alone, when that is sure; its
        # language is then its description's, never the page's.
        from_dom = not shared and not (extraction.postings or in_state or recipe)
        if from_dom and (posting := dom_posting(response, self.listing_prefix)):
            extraction.postings = [posting]
        harmless = not extraction.hidden_postings()
        for reason, _ in extraction.broken_blocks:
            report("bad_json_ld_harmless" if harmless else "bad_json_ld", response.url, reason)
        alternates = hreflang_alternates(selector, response.url)
        declared = None if from_dom else declared_language(selector, response.url, alternates)
        for node in [] if echo else extraction.postings:
            yield to_item(
                node,
                source=self.source.name,
                page_url=response.url,
                company=self.source.company,
                declared=declared,
                alternates=alternates,
                several_on_page=len(extraction.postings) > 1,
            )
        for node in [] if echo else in_state:
            yield to_item(
                node,
                source=self.source.name,
                page_url=node.get("url") or response.url,
                company=self.source.company,
                several_on_page=not node.get("url") and len(in_state) > 1,
            )

        boards = ats_boards(selector, response.url)
        if canonical(response.url) == canonical(self.source.url):
            # The careers URL itself may be an ATS board on the company's own domain.
            own_kind = own_domain_board(text)
            if own_kind:
                boards[self.source.url] = own_kind
        for board, kind in boards.items():
            if board not in self.boards:
                self.boards[board] = kind
                report("ats_board_found", response.url, f"{kind} board {board}")

        # A listing's next pages and language versions are more of the same page; a link to a
        # posting (or a sub-listing) is one hop further. Hops are bounded, pagination is not.
        same_level = {url for url in alternates.values() if self.on_source_host(url)}
        further: set[str] = set()
        postings_by_recipe = {canonical(url) for url in recipe.posting_links(selector, response.url)} if recipe and recipe.postings else None
        if not extraction.postings:  # a listing: follow its postings and its next pages
            same_level |= {url for url in pagination_links(selector, response.url) if self.on_source_host(url)}
            candidates = job_links(selector, response.url, self.listing_prefix) if postings_by_recipe is None else postings_by_recipe
            further = {url for url in candidates if self.on_source_host(url)}
        own_url = canonical(response.url)
        same_level.discard(own_url)
        further -= same_level | {own_url}
        if not extraction.postings and not in_state and not same_level and not further:
            again = self._page_request(response.url, hops, shared, response.meta.get("posting", False))
            rendered = self.render.shell_request(response, again)
            if rendered is not None:
                yield rendered
                return
            report("no_job_markup", response.url, "no JobPosting and no links to follow")
        else:
            self.render.rendered_shell_read(response)
        if further and hops >= self.max_hops:
            # Links past the limit are dropped, so the listing is not known to be complete.
            report("depth_limit", response.url, f"links more than {self.max_hops} hops from the careers URL")
            further = set()
        if shared:
            further = {url for url in further if self.owns(url)}
        for url in sorted(same_level):
            yield self._page_request(url, hops, shared)
        for url in sorted(further):
            yield self._page_request(url, hops + 1, posting=postings_by_recipe is not None)

    # -- helpers -----------------------------------------------------------------------------

    @property
    def max_hops(self) -> int:
        """Links are followed by guesswork here, so how far from the careers URL is bounded."""
        return self.settings.getint("JOBATLAS_MAX_LINK_HOPS")

    @functools.cached_property
    def shard(self) -> tuple[int, int]:
        """(part, parts) of a split crawl; (0, 1) for the whole site. Read once: `owns` runs per link."""
        return shard_of(self.settings.get("JOBATLAS_SHARD"))

    @property
    def first_part(self) -> bool:
        return self.shard[0] == 0

    def _reporter(self, echo: bool) -> Callable[..., None]:
        """How a callback reports its page (`report(None)`) and the problems it finds there
        (`report(kind, url, detail)`): not at all when it only echoes what the first part reports."""

        def report(kind: str | None, url: str = "", detail: str = "") -> None:
            if echo:
                return
            if kind is None:
                self.count_page()
            else:
                self.problem(kind, url, detail)

        return report

    def owns(self, url: str) -> bool:
        """Whether this part of a split crawl fetches `url` (always, when the site is not split)."""
        part, parts = self.shard
        return parts == 1 or zlib.crc32(canonical(url).encode("utf-8")) % parts == part

    def _page_request(self, url: str, hops: int = 0, shared: bool = False, posting: bool = False) -> scrapy.Request:
        """A page of the site; `posting` when the source's recipe says the link leads to a posting."""
        meta = {"hops": hops, "shared": shared, "posting": posting}
        return self.render.mark(scrapy.Request(url, callback=self.parse_page, errback=self.on_page_error, meta=meta))

    def on_page_error(self, failure: Failure) -> None:
        """A page that is gone closes the posting it held (its key is its URL)."""
        self.on_error(failure)
        if failure.check(HttpError) and failure.value.response.status in (404, 410):
            self.gone_keys.add(canonical(failure.request.url))

    def _looks_like_job_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return path.startswith(self.listing_prefix) or bool(JOB_PATH_WORDS.search(path))
