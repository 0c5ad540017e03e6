"""Umantis (Abacus / Haufe) job boards, read as HTML: the listing's pages, then each vacancy's.

Each company has a host, `https://recruitingapp-{tenant}.umantis.com/` (some `.de.umantis.com`),
whose board `/Jobs/All` (or `/Jobs/1`, a `?lang=ger|eng|fre|ita` picking the chrome) is rendered
server-side, ten or so vacancies a page: each a link `/Vacancies/{id}/Description/{n}` (`n` the
ad's language version) with its title, place and date around it, and a pager whose links carry
`tc{table}=p{page}` (past the last page the board shows page 1 again). A vacancy's page
`/Vacancies/{id}/Description/{n}` carries schema.org JobPosting JSON-LD on current boards, mapped
as any JobPosting; older ones only its text, in `<div class="conts">` blocks under an `<h1>`.
Pages are read until one brings no vacancy not seen before. Umantis states no language; the
page's `<html lang>` is kept as a declared one.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.extract import declared_language, extract_job_postings, to_item
from crawler.items import JobPosting
from crawler.sources import board_from_url
from crawler.spiders.base import SourceSpider

_VACANCY = re.compile(r"/Vacancies/(\d+)/Description/(\d+)")
_NEXT_PAGE = re.compile(r"[?&]tc\d+=p(\d+)")
_UMANTIS_PAGE = re.compile(rb"umantis|/Vacancies/|/Jobs/", re.IGNORECASE)


def listing_url(board_url: str) -> str | None:
    """The board's listing for a URL as users paste it (the host, a listing, a vacancy), keeping
    the `lang` it asks for; None when it names no board."""
    board = board_from_url(board_url, "umantis")
    if board is None:
        return None
    language = re.search(r"(?:^|&)lang=([a-z]{3})", urlsplit(board_url).query)
    return f"{board.origin}/Jobs/All" + (f"?lang={language.group(1)}" if language else "")


class UmantisSpider(SourceSpider):
    name = "umantis"

    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, cb_kwargs={"seen": set()})

    def parse_listing(self, response: Response, seen: set[str]) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse) or not _UMANTIS_PAGE.search(response.body):
            self.problem("bad_posting", response.url, "not an Umantis job board page")
            return
        self.count_page()
        fresh = False
        for href in response.css("a::attr(href)").getall():
            found = _VACANCY.search(href)
            if found and found.group(0) not in seen:  # each language version of a vacancy is its own ad
                seen.add(found.group(0))
                fresh = True
                yield scrapy.Request(urljoin(response.url, found.group(0)), callback=self.parse_vacancy, errback=self.on_error,
                                     cb_kwargs={"vacancy": found.group(1), "version": found.group(2)})
        pages = sorted((int(page.group(1)), href) for href in response.css("a::attr(href)").getall() if (page := _NEXT_PAGE.search(href)))
        current = _NEXT_PAGE.search(response.url)
        following = [href for page, href in pages if page == (int(current.group(1)) if current else 1) + 1]
        if fresh and following:  # past the end the board shows page 1 again: nothing fresh
            yield scrapy.Request(urljoin(response.url, following[0]), callback=self.parse_listing, errback=self.on_error,
                                 cb_kwargs={"seen": seen})

    def parse_vacancy(self, response: Response, vacancy: str, version: str) -> Iterator[JobPosting]:
        if not isinstance(response, TextResponse):
            self.problem("bad_posting", response.url, "a vacancy page that is not HTML")
            return
        self.count_page()
        declared = declared_language(response.selector, response.url, {})
        board = board_from_url(self.source.url, "umantis")
        own_url = f"{board.origin}/Vacancies/{vacancy}/Description/{version}" if board else response.url
        nodes = extract_job_postings(response.selector, response.url).postings
        if nodes:
            item = to_item(nodes[0], source=self.source.name, page_url=own_url, company=self.source.company, declared=declared)
            item.ats, item.translation_key = self.name, vacancy
        else:
            text = "\n".join(response.css("div.conts").getall()) or None
            if text is None:
                self.problem("bad_posting", response.url, "no JobPosting and no text on the vacancy page")
                return
            title = " ".join(response.css("h1 ::text").getall()).strip() or response.css("title::text").get("").split("|")[0].strip()
            item = self.posting(key=vacancy, url=own_url, title=title or None, description_html=text,
                                declared_language=declared, translation_key=vacancy)
        item.key, item.external_id = f"{vacancy}-{version}", vacancy
        item.apply_url = item.apply_url or (f"{board.origin}/Vacancies/{vacancy}/Application/CheckLogin/{version}" if board else None)
        yield item
