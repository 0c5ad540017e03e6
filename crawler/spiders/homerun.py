"""Homerun career pages, read through the public Atom feed of each company.

A company's page is `https://{slug}.homerun.co/`; its open jobs come in one request, unpaged:
`GET https://feed.homerun.co/{slug}` answers an Atom `<feed>` (title: the company) with one
`<entry>` per job: `id`, `title`, `link rel="alternate"` (the job's page on `{slug}.homerun.co`),
`summary` / `content` / `description` (HTML, escaped or inline XHTML), `author/name` (the
company), and Homerun's own `department/name`, `location/name` (a place, or "Remote"),
`type/name` ("Full-time"...), `updated` (RFC 3339 or `YYYY-MM-DD hh:mm:ss`), sometimes
`published` and `salary_indication` (text). The feed states no language.

The feed is untrusted XML: entities are never expanded, no DTD or network resource is loaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import scrapy
from lxml import etree
from scrapy.http import Response

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import SourceSpider
from pipelines.location import split_locations

FEED_HOST = "feed.homerun.co"
DESCRIPTION_ELEMENTS = ("content", "description", "summary")  # the fullest first


def feed_url(board_url: str) -> str | None:
    """The feed URL for a page URL as users paste it (`acme.homerun.co`, a job under it, or the
    feed `feed.homerun.co/acme` itself), or None when it names no company."""
    board = board_from_url(board_url, "homerun")
    slug = board and (board.name or board.netloc.split(".")[0])
    return f"https://{FEED_HOST}/{slug}" if slug else None


def _local(element: etree._Element) -> str:
    """An element's name without its namespace (Atom's, or none); '' for comments and entities."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    return next((child for child in element if _local(child) == name), None) if element is not None else None


def _text(element: etree._Element | None) -> str | None:
    """An element's content: its text, with inline markup (XHTML content) kept as markup.
    Unexpanded entity references contribute nothing."""
    if element is None:
        return None
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(etree.tostring(child, encoding="unicode", with_tail=False))
        parts.append(child.tail or "")
    return text_of("".join(parts))


def _name(entry: etree._Element, tag: str) -> str | None:
    """Homerun's `<tag><name>...</name></tag>`, or the element's own text where it has no name."""
    element = _child(entry, tag)
    named = _child(element, "name")
    return _text(named if named is not None else element)


class HomerunSpider(SourceSpider):
    name = "homerun"
    api_hosts = frozenset({FEED_HOST})

    derive_api_url = staticmethod(feed_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)

    def parse_feed(self, response: Response) -> Iterator[JobPosting]:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            root = etree.fromstring(response.body, parser)
        except etree.XMLSyntaxError as error:
            self.problem("bad_xml", response.url, str(error)[:300])
            return
        if root is None or _local(root) != "feed":
            self.problem("bad_xml", response.url, "not an Atom feed")
            return
        self.count_page()
        company = _text(_child(root, "title"))
        seen: set[str] = set()
        for entry in (child for child in root if _local(child) == "entry"):
            posting = self.job_posting(entry, company)
            if posting is None:
                self.problem("bad_posting", response.url, "an entry without an id or a link")
            elif posting.key not in seen:
                seen.add(posting.key)
                yield posting

    def job_posting(self, entry: etree._Element, company: str | None = None) -> JobPosting | None:
        """One feed entry as a JobPosting; None when it has neither id nor link."""
        links = [link for link in entry if _local(link) == "link" and link.get("rel", "alternate") == "alternate"]
        url = text_of(links[0].get("href")) if links else None
        key = _text(_child(entry, "id")) or url
        if key is None:
            return None
        place, kind = _name(entry, "location"), _name(entry, "type")
        said = " ".join(filter(None, (place, kind))).lower()
        workplace = "remote" if "remote" in said else "hybrid" if "hybrid" in said else None
        return self.posting(
            key=key,
            external_id=key,
            url=url or self.source.url,
            title=_text(_child(entry, "title")),
            company=_name(entry, "author") or self.source.company or company,
            department=_name(entry, "department"),
            description_html=next(filter(None, (_text(_child(entry, name)) for name in DESCRIPTION_ELEMENTS)), None),
            locations=[
                RawLocation(raw=name, remote=name.lower().startswith("remote")) for name in split_locations(place or "")
            ],
            employment_type_raw=kind,
            workplace_raw=workplace,
            date_posted_raw=_text(_child(entry, "published")) or _text(_child(entry, "updated")),
            salary_raw=_text(_child(entry, "salary_indication")),
        )
