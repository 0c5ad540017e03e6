"""Personio career sites, read through the public XML feed.

One feed per language: `GET https://{company}.jobs.personio.de/xml?language=de` (or `.com`)
answers `<workzag-jobs>` with one `<position>` per open job: `id`, `subcompany`, `office` (a city
name, or "Remote"), `additionalOffices/office`, `department`, `name` (the title),
`jobDescriptions/jobDescription` {name, value (HTML in CDATA)}, `employmentType` (permanent,
intern, trainee, freelance, temporary, working_student), `schedule` (full-time, part-time...),
`createdAt`, and sometimes `salaryInformation` {min, max, currencyCode, type}. Feeds state no
total and are not paged. Nothing in a feed says where an office is: a `.de` site hints Germany.

Languages: the feed's `?language=` picks the texts, but a position that has no translation in that
language is served in its original language instead. So the same position in several feeds is
several postings (linked by a translation key) only when its texts differ; identical texts are
one posting. A version's language is stated only when it is served under one language alone and
its text, read by the language step's own detection, is in that language (Personio demo boards
are full of lorem ipsum, which must not be labelled); otherwise the language step decides.

The feed is untrusted XML: entities are never expanded, no DTD or network resource is loaded.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response
from twisted.python.failure import Failure
from w3lib.url import add_or_replace_parameters, url_query_parameter

from crawler.extract import language_tag
from crawler.items import JobPosting, RawLocation
from crawler.sources import Source, board_from_url
from crawler.spiders.base import SourceSpider, monetary_amount
from crawler.spiders.board import html_sections
from pipelines.clean import html_to_text
from pipelines.language import LanguageDetector, default_detector, resolve_language
from pipelines.location import split_locations

# The languages asked for on every site (most Personio sites publish in one or both); a
# `?language=xx` in the source URL asks for that one too, first.
DEFAULT_LANGUAGES = ("de", "en")


def feed_url(site_url: str) -> str | None:
    """The XML feed URL (without language) of a career site (`https://acme.jobs.personio.de/`,
    or the company's own domain)."""
    site = board_from_url(site_url, "personio")
    return f"{site.origin}/xml" if site else None


@dataclass
class Feed:
    """What one feed held: its positions as plain dicts, and the problem met reading it."""

    positions: list[dict[str, Any]] = field(default_factory=list)
    problem: tuple[str, str] | None = None  # (kind, detail)


def read_feed(body: bytes) -> Feed:
    """Parse a feed without expanding entities or loading anything. A feed that ends before its
    root closes keeps the positions read so far and is reported as truncated."""
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    feed, root, root_closed = Feed(), None, False
    try:
        parser.feed(body)
        for event, element in parser.read_events():
            if root is None:
                root = element.tag
                if root != "workzag-jobs":
                    return Feed(problem=("bad_xml", f"not a Personio feed: the root is <{root}>"))
            elif event == "end" and element.tag == "position":
                feed.positions.append(read_position(element))
            root_closed = event == "end" and element.getparent() is None
        parser.close()
    except etree.XMLSyntaxError as error:
        if root is None:
            return Feed(problem=("bad_xml", str(error)[:300]))
        # A feed cut short fails on its last line, whatever was being read there; a malformed
        # one fails where the fault is.
        cut_short = not root_closed and error.position[0] >= body.rstrip().count(b"\n") + 1
        kind = "truncated_listing" if cut_short else "bad_xml"
        feed.problem = (kind, f"{error} (after {len(feed.positions)} positions)"[:300])
    return feed


def read_position(element: etree._Element) -> dict[str, Any]:
    """The fields of one <position> this spider maps, as text."""
    position: dict[str, Any] = {
        name: _text(element.find(name))
        for name in ("id", "name", "subcompany", "office", "department", "employmentType", "schedule", "createdAt")
    }
    position["additionalOffices"] = [_text(office) for office in element.iterfind("additionalOffices/office")]
    position["jobDescriptions"] = [
        (_text(section.find("name")), _text(section.find("value")))
        for section in element.iterfind("jobDescriptions/jobDescription")
    ]
    salary = element.find("salaryInformation")
    position["salaryInformation"] = {
        child.tag: _text(child) for child in (salary if salary is not None else []) if isinstance(child.tag, str)
    }
    return position


def _text(element: etree._Element | None) -> str | None:
    """An element's content as text. Entity references stay out: declared entities are never
    expanded (not even through XPath's string(), which would), so they contribute nothing."""
    if element is None:
        return None
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):  # markup outside CDATA: kept as markup
            parts.append(etree.tostring(child, encoding="unicode", with_tail=False))
        parts.append(child.tail or "")
    return "".join(parts).strip() or None


class PersonioSpider(SourceSpider):
    name = "personio"
    # The feed lives on each company's own career site host, which is the source's own host.
    api_hosts: frozenset[str] = frozenset()

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        site = urlsplit(source.url)
        self.site = f"{site.scheme}://{site.netloc}"
        asked = language_tag(url_query_parameter(source.url, "language"))
        self.languages = list(dict.fromkeys([asked, *DEFAULT_LANGUAGES] if asked else DEFAULT_LANGUAGES))
        self.country_hint = "DE" if (site.hostname or "").endswith(".de") else None
        self.feeds: dict[str, list[dict[str, Any]]] = {}
        self.pending = 0

    derive_api_url = staticmethod(feed_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        base = self.api_url()
        if base is None:
            return
        self.pending = len(self.languages)
        for language in self.languages:
            yield scrapy.Request(
                add_or_replace_parameters(base, {"language": language}),
                callback=self.parse_feed,
                errback=self.feed_failed,
                cb_kwargs={"language": language},
            )

    def parse_feed(self, response: Response, language: str) -> Iterator[JobPosting]:
        if not self.on_source_host(response.url):
            self.problem("offsite_redirect", response.url, "redirected off the source's hosts")
        else:
            feed = read_feed(response.body)
            if feed.problem:
                kind, detail = feed.problem
                self.problem(kind, response.url, detail)
            if feed.problem is None or feed.positions:
                self.count_page()
                self.feeds[language] = feed.positions
        yield from self._feed_done()

    def feed_failed(self, failure: Failure) -> Iterator[JobPosting]:
        self.on_error(failure)
        yield from self._feed_done()

    def _feed_done(self) -> Iterator[JobPosting]:
        """Once every language's feed has answered, each position's versions can be compared."""
        self.pending -= 1
        if self.pending:
            return
        by_id: dict[str, dict[str, dict[str, Any]]] = {}
        for language in self.languages:  # in a fixed order, whatever order the answers came in
            for position in self.feeds.get(language, []):
                if position.get("id"):
                    by_id.setdefault(position["id"], {}).setdefault(language, position)
        for feeds in by_id.values():
            yield from self.job_postings(feeds)

    def job_postings(self, feeds: dict[str, dict[str, Any]]) -> list[JobPosting]:
        """The postings of one position, given as each language's feed served it."""
        versions = language_versions(feeds)
        translated = len(versions) > 1
        postings = []
        for languages, position in versions:
            position_id = position["id"]
            url = f"{self.site}/job/{position_id}" + (f"?language={languages[0]}" if translated else "")
            fields: dict[str, Any] = dict(
                key=f"{position_id}:{languages[0]}" if translated else position_id,
                external_id=position_id,
                url=url,
                translation_key=f"position:{position_id}" if translated else None,
                title=position.get("name"),
                department=position.get("department"),
                description_html=_description(position),
                locations=[
                    RawLocation(raw=place)
                    for office in dict.fromkeys([position.get("office"), *position.get("additionalOffices", [])])
                    for place in split_locations(office or "")
                ],
                employment_type_raw=_employment_type(position),
                date_posted_raw=position.get("createdAt"),
                salary_raw=_salary(position.get("salaryInformation") or {}),
                stated_language=languages[0] if len(languages) == 1 and written_in(position, languages[0]) else None,
                country_hint=self.country_hint,
            )
            if position.get("subcompany"):
                fields["company"] = position["subcompany"]
            postings.append(self.posting(**fields))
        return postings


def language_versions(feeds: dict[str, dict[str, Any]]) -> list[tuple[list[str], dict[str, Any]]]:
    """The distinct versions of one position: (the languages whose feed served it, position).
    Feeds that served the same title and texts served one version, not translations."""
    versions: dict[tuple[Any, ...], tuple[list[str], dict[str, Any]]] = {}
    for language, position in feeds.items():
        texts = (position.get("name"), *(value for _, value in position.get("jobDescriptions", [])))
        fingerprint = tuple(" ".join(text.split()) if text else "" for text in texts)
        versions.setdefault(fingerprint, ([], position))[0].append(language)
    return list(versions.values())


@functools.cache
def _detector() -> LanguageDetector:
    return default_detector()  # loading a model takes a moment: once per process


def written_in(position: dict[str, Any], language: str) -> bool:
    """Whether the language step, reading the position's own text alone, finds it in `language`."""
    description = html_to_text(_description(position) or "")
    detected, _, _ = resolve_language(position.get("name"), description, detector=_detector())
    return detected == language


def _description(position: dict[str, Any]) -> str | None:
    return html_sections(position.get("jobDescriptions", []))


def _employment_type(position: dict[str, Any]) -> list[str]:
    """The contract kind and the hours, most telling first (the normalize step takes the first
    it knows): "permanent" says nothing of the hours, "intern" or "freelance" says more."""
    contract, hours = position.get("employmentType"), position.get("schedule")
    ordered = (hours, contract) if contract in (None, "permanent") else (contract, hours)
    return [value for value in ordered if value]


def _salary(salary: dict[str, Any]) -> dict[str, Any] | None:
    return monetary_amount(salary.get("min"), salary.get("max"), salary.get("currencyCode"), salary.get("type"))
