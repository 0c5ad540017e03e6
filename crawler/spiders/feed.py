"""Job feeds: an RSS 2.0 or Atom feed whose items are postings (`kind: feed` in the sources file).

Many careers sites and smaller ATSs publish their openings as a feed. Each RSS `item` (Atom
`entry`) is one posting: `title`, `link` (Atom: `link[@rel=alternate]/@href`), `description` /
`content:encoded` (Atom: `content` / `summary`), `pubDate` (Atom: `published` / `updated`),
`guid` (Atom: `id`) and `category`. Where a posting's place is is not standard: the usual custom
elements are read, in any namespace (`location`, `job:location`, `city`, `region` / `state`,
`country`), as are `employmentType` / `jobtype` and `department`. The feed's own `language`
(RSS channel, or `xml:lang`) is what it declares its items are in.

The feed is one document, parsed without expanding entities or loading anything; a broken one
is `bad_xml` with its URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import scrapy
from lxml import etree
from scrapy.http import Response

from crawler.extract import language_tag
from crawler.items import JobPosting, RawLocation
from crawler.spiders.base import SourceSpider

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(tag: object) -> str:
    """An element's name without its namespace, lower-cased; '' for comments and the like."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(element: etree._Element, *names: str) -> list[etree._Element]:
    return [child for child in element if _local(child.tag) in names]


def _text(element: etree._Element, *names: str) -> str | None:
    """The text of the first child called one of `names` (in any namespace) that has some."""
    for child in _children(element, *names):
        text = "".join(child.itertext()).strip()
        if text:
            return text
    return None


class FeedSpider(SourceSpider):
    name = "feed"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.source.endpoint or self.source.url, callback=self.parse_feed, errback=self.on_error)

    def parse_feed(self, response: Response) -> Iterator[JobPosting]:
        try:
            root = etree.fromstring(response.body, _PARSER)
        except etree.XMLSyntaxError as error:
            self.problem("bad_xml", response.url, str(error)[:300])
            return
        if _local(root.tag) not in ("rss", "feed", "rdf"):
            self.problem("bad_xml", response.url, f"not an RSS or Atom feed: the root is <{_local(root.tag)}>")
            return
        self.count_page()
        channel = next(iter(_children(root, "channel")), root)
        declared = language_tag(_text(channel, "language") or root.get(_XML_LANG))
        items = _children(channel, "item", "entry") or _children(root, "item")
        for item in items:
            posting = self.item_posting(item, declared)
            if posting is None:
                self.problem("bad_posting", response.url, "a feed item without a link or an id")
            else:
                yield posting

    def item_posting(self, item: etree._Element, declared: str | None = None) -> JobPosting | None:
        """One feed item as a JobPosting; None when it has neither a link nor an id."""
        link = _text(item, "link") or next(
            (child.get("href") for child in _children(item, "link") if child.get("rel", "alternate") == "alternate"), None
        )
        key = link or _text(item, "guid", "id")
        if key is None:
            return None
        city, region, country = _text(item, "city"), _text(item, "region", "state"), _text(item, "country")
        place = _text(item, "location", "joblocation")
        locations = [RawLocation(raw=place or "", city=city, region=region, country=country)] if place or city or country else []
        return self.posting(
            key=key,
            external_id=_text(item, "guid", "id"),
            url=link or self.source.url,
            title=_text(item, "title"),
            department=_text(item, "department", "category"),
            description_html=_text(item, "encoded", "content", "description", "summary"),
            locations=locations,
            employment_type_raw=_text(item, "employmenttype", "jobtype", "type"),
            date_posted_raw=_text(item, "pubdate", "published", "updated", "date"),
            declared_language=language_tag(item.get(_XML_LANG)) or declared,
        )
