"""A recipe: how to read a careers site that nothing generic reads, written in the sources file.

    - name: atelier
      url: https://atelier.example/emplois/
      recipe:
        postings: "a.offre"                 # which links on a listing page are postings (CSS), or
                                            #   "regex:/emplois/\\d+" (a pattern on the link's URL)
        title: "h1"                         # CSS, or "xpath://h1"; the text of what it selects
        location: ".offre-lieu"
        description: "article.offre"        # its HTML is kept, sanitised later
        date: "time::attr(datetime)"        # ::attr() and ::text read a value instead of a text

On a page reached through a posting link (or, without a `postings` rule, any page below the
careers URL) whose `title` selects something, the fields become a schema.org-shaped JobPosting
that the usual steps read: the language comes from the posting's own text, the location from the
resolver.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from pydantic import BaseModel, ConfigDict, field_validator


XPATH_PREFIX = "xpath:"
REGEX_PREFIX = "regex:"
_FIELDS = ("title", "location", "description", "date")


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    postings: str | None = None
    title: str | None = None
    location: str | None = None
    description: str | None = None
    date: str | None = None

    @field_validator("postings")
    @classmethod
    def _links_rule(cls, rule: str | None) -> str | None:
        if rule is not None and rule.startswith(REGEX_PREFIX):
            try:
                re.compile(rule.removeprefix(REGEX_PREFIX))
            except re.error as error:
                raise ValueError(f"not a regular expression: {error}") from None
            return rule
        return _check_selector(rule)

    @field_validator(*_FIELDS)
    @classmethod
    def _field_rule(cls, rule: str | None) -> str | None:
        return _check_selector(rule)

    def posting_links(self, selector: Selector, page_url: str) -> set[str] | None:
        """The posting links on a listing page, by the `postings` rule; None without one."""
        if self.postings is None:
            return None
        if self.postings.startswith(REGEX_PREFIX):
            pattern = re.compile(self.postings.removeprefix(REGEX_PREFIX))
            hrefs = selector.xpath("//a/@href").getall()
            urls = {absolute(page_url, href) for href in hrefs}
            return {url for url in urls if url and pattern.search(url)}
        links = _select(selector, self.postings)
        hrefs = [link.attrib.get("href") if hasattr(link, "attrib") else link for link in links]
        return {url for url in (absolute(page_url, href) for href in hrefs if isinstance(href, str)) if url}

    def posting(self, selector: Selector, page_url: str) -> dict[str, Any] | None:
        """The page's posting as a schema.org-shaped dict, or None when `title` selects nothing."""
        title = _text(selector, self.title)
        if not title:
            return None
        node: dict[str, Any] = {"@type": "JobPosting", "title": title, "url": page_url}
        if self.description:
            node["description"] = "\n".join(
                item.get() if isinstance(item, Selector) else item for item in _select(selector, self.description)
            )
        location = _text(selector, self.location)
        if location:
            node["jobLocation"] = [location]
        date = _text(selector, self.date)
        if date:
            node["datePosted"] = date
        return node


def absolute(page_url: str, href: str) -> str | None:
    try:
        return urljoin(page_url, href.strip())
    except ValueError:  # a link that cannot be parsed at all
        return None


def _check_selector(rule: str | None) -> str | None:
    """`rule` if it compiles as a CSS selector (or, with `xpath:`, an XPath expression)."""
    if rule is None:
        return None
    try:
        if rule.startswith(XPATH_PREFIX):
            etree.XPath(rule.removeprefix(XPATH_PREFIX))
        else:
            HTMLTranslator().css_to_xpath(rule)
    except Exception as error:  # cssselect and lxml raise their own several types
        kind = "XPath" if rule.startswith(XPATH_PREFIX) else "CSS selector"
        raise ValueError(f"not a valid {kind} ({rule!r}): {error}") from None
    return rule


def _select(selector: Selector, rule: str) -> list[Any]:
    found = selector.xpath(rule.removeprefix(XPATH_PREFIX)) if rule.startswith(XPATH_PREFIX) else selector.css(rule)
    return list(found)


def _text(selector: Selector, rule: str | None) -> str | None:
    """The text of what `rule` selects (a value, for ::attr / @attribute), whitespace collapsed."""
    if rule is None:
        return None
    parts = []
    for item in _select(selector, rule):
        root = item.root
        text = root if isinstance(root, str) else " ".join(root.itertext()) if hasattr(root, "itertext") else str(root)
        parts.append(text)
    return " ".join(" ".join(parts).split()) or None
