"""A careful reading of a posting page that carries no job markup, from its HTML alone.

Many small employers publish each job as a plain page: a heading, a few labelled facts
("Standort: München", "Lieu : Lyon"), the text, an apply button. When a page has no JobPosting
markup, no embedded state and its source no recipe, `dom_posting` reads it as a person would:

- the title from the page's `h1` (outside the site's chrome), else `og:title`;
- the description from the main content block: starting from <body>, the walk goes down into the
  child holding nearly all of the text that is not link text, and stops where the text spreads
  over several children (the sections of a posting). Navigation, headers, footers, asides, forms,
  cookie banners and hidden parts count for nothing, and are left out of the description;
- the location (and the employment type) from a labelled field, in many languages, written as
  dt/dd, th/td, a label element and its value, or "Label: value" text.

It answers only when confident: a title, a description of substantial length, and a sign that the
page is a posting (a labelled location or employment type, an apply control outside the chrome,
or a job title on a page below the careers listing), and no sign that it is a listing (its main
block links several postings, or the same label repeats with different values, as listing rows
do). Anything else stays unread, as before. The answer is a schema.org-shaped JobPosting dict that
`crawler.extract.to_item` maps; its language is for the pipeline to detect from the description
(the page's chrome, `<html lang>` included, says which site it is, not which language the job is).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from scrapy.http import TextResponse

from crawler.app_state import JOB_TITLE
from crawler.extract import JOB_PATH_WORDS, absolute, canonical

# Non-link text a description must hold: a stub ("this role has moved") or a teaser is not a posting.
MIN_DESCRIPTION_CHARS = 250
# A walk goes down into a child that holds at least this share of its parent's text.
_DESCEND_SHARE = 0.8
# A main block that links this many postings is a listing.
_LISTING_LINKS = 3
_MAX_TITLE_CHARS = 200
_MAX_VALUE_CHARS = 100

# Elements that are never a posting's text: the site's chrome, forms, code and media.
_CHROME_TAGS = {"nav", "aside", "form", "dialog", "menu", "button", "select", "textarea", "noscript"}
_NON_TEXT_TAGS = {"script", "style", "template", "svg", "iframe", "object", "canvas", "video", "audio", "head", "title"}
# A header or a footer is the site's own unless it sits in an article or the main part.
_SECTIONING = {"header", "footer"}
_CONTENT_ROOTS = {"article", "main"}
# By class or id: always chrome; chrome unless the name also says content (readability's rule).
_ALWAYS_CHROME = re.compile(r"cookie|consent|gdpr|onetrust|usercentrics|cookiebot|newsletter|share|social", re.I)
_LIKELY_CHROME = re.compile(
    r"banner|breadcrumb|comment|footer|header|masthead|menu|navbar|navigation|related|similar|sidebar|"
    r"popup|modal|pagination|pager|skip-?link|toolbar",
    re.I,
)
_CONTENT_NAME = re.compile(r"article|content|main|body|job|posting|vacanc|description|detail|stelle|offer", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Labels of a posting's location and employment type, in the languages careers sites are written
# in; matched whole, case and a trailing colon aside.
LOCATION_LABELS = frozenset(
    [
        "location", "locations", "job location", "work location", "place of work", "workplace", "office", "city",
        "standort", "standorte", "arbeitsort", "einsatzort", "dienstort", "ort", "arbeitsplatz",
        "lieu", "lieu de travail", "localisation", "ville",
        "ubicación", "ubicacion", "localización", "localizacion", "lugar de trabajo", "ciudad",
        "ubicació", "lloc", "lloc de treball",
        "sede", "sede di lavoro", "luogo di lavoro", "località",
        "localização", "localizacao", "local de trabalho", "local", "cidade",
        "locatie", "standplaats", "werklocatie", "plaats",
        "lokalizacja", "miejsce pracy",
        "arbetsort", "placering", "plats", "arbejdssted", "lokation", "arbeidssted", "sted", "sijainti",
        "místo výkonu práce", "lokalita", "helyszín", "locație", "konum", "местоположение",
    ]
)
EMPLOYMENT_LABELS = frozenset(
    [
        "employment type", "job type", "contract type", "type of contract", "type of employment", "schedule",
        "anstellungsart", "beschäftigungsart", "vertragsart", "arbeitszeit", "anstellung", "beschäftigungsumfang",
        "type de contrat", "type d'emploi", "temps de travail",
        "tipo de contrato", "jornada", "tipo de jornada", "tipus de contracte", "jornada laboral",
        "tipo di contratto", "orario", "regime de trabalho", "tipo de vínculo",
        "dienstverband", "contractvorm", "type dienstverband", "rodzaj umowy", "wymiar pracy",
        "anställningsform", "omfattning", "ansættelsestype", "stillingstype", "työsuhde",
    ]
)
# An apply control's text, or a word in its target.
_APPLY_TEXT = re.compile(
    r"^\W*(apply|apply now|apply for this (job|position|role)|bewerben|jetzt bewerben|online bewerben|"
    r"postuler|postulez|candidater|postular|postúlate|aplicar|inscríbete|candidatar-?se|candidate-se|"
    r"candidati|candidatura|invia candidatura|solliciteer|solliciteren|aplikuj|ansök|søg|søk|hae|"
    r"sollicitar|inscriu-te|enviar candidatura|envoyer ma candidature)\b",
    re.I,
)
# An apply page's own path segment (/jobs/42/apply); "/initiativbewerbung" on a listing is not one.
_APPLY_TARGET = re.compile(r"/(apply|bewerben|bewerbung|postuler|postular|candidatar|candidatura|aplicar|solliciteren)(/|$|\?)", re.I)
_OG_TITLE = etree.XPath('//meta[@property="og:title"]/@content', smart_strings=False)
_OG_SITE_NAME = etree.XPath('//meta[@property="og:site_name"]/@content', smart_strings=False)
_BODY = etree.XPath("//body")
# Headings that name a careers section, not a job: such a page's job title is elsewhere, if anywhere.
_SECTION_HEADING = re.compile(
    r"^\W*(careers?|jobs?|job offers|open (positions|roles|jobs)|vacanc(y|ies)|join (us|our team)|work with us|"
    r"karriere|stellenangebote|stellenanzeigen?|offene stellen|stellen|jobs bei\b.*|"
    r"carrières?|emplois?|offres d'emploi|nos offres|rejoignez-nous|"
    r"empleo|ofertas?( de (empleo|trabajo))?|trabaja con nosotros|treballa amb nosaltres|ofertes( de feina)?|"
    r"lavora con noi|posizioni aperte|vagas|trabalhe conosco|vacatures|werken bij\b.*|"
    r"praca|kariera|oferty pracy|lediga (jobb|tjänster)|karriär|ledige stillinger)\W*$",
    re.I,
)
_LABEL_VALUE = re.compile(r"^\s*([^\W\d][\w '’.-]{1,30}?)\s*[:：]\s*(\S.*?)\s*$", re.S)


def dom_posting(response: TextResponse, listing_prefix: str | None = None) -> dict[str, Any] | None:
    """The page's posting as a schema.org-shaped JobPosting dict, read from its HTML alone; None
    unless confident. `listing_prefix` is the careers listing's folder ("/jobs/"): a job title on a
    page below it counts as a sign of a posting."""
    body = next(iter(_BODY(response.selector.root)), None)
    if body is None:
        return None
    page = _read(body, response.url, listing_prefix)
    title = _title(page.title, response)
    if not title:
        return None
    block = _main_block(body, page)
    text_chars = page.sizes.get(block, 0)
    if text_chars < MIN_DESCRIPTION_CHARS:
        return None
    location = page.field(LOCATION_LABELS)
    employment = page.field(EMPLOYMENT_LABELS)
    path = urlsplit(response.url).path
    below_listing = bool(listing_prefix) and path.startswith(listing_prefix) and path != listing_prefix
    signals = location or employment or page.apply_url or (below_listing and JOB_TITLE.search(title))
    if not signals or page.listing_rows or _links_postings(_content_root(block), response.url, listing_prefix):
        return None
    node: dict[str, Any] = {
        "@type": "JobPosting",
        "title": title,
        "description": _description_html(block, page),
        "url": response.url,
    }
    if location:
        node["jobLocation"] = [location]
    if employment:
        node["employmentType"] = employment
    if page.apply_url:
        node["potentialAction"] = {"@type": "ApplyAction", "target": page.apply_url}
    return node


@dataclass
class _Page:
    """What one walk through the body finds."""

    sizes: dict[Any, int] = field(default_factory=dict)  # element → its non-link text, chrome left out
    title: str | None = None
    title_element: Any = None
    apply_url: str | None = None
    labelled: dict[str, list[str]] = field(default_factory=dict)  # label → the values given to it, in order
    chrome: set[Any] = field(default_factory=set)  # the outermost chrome elements

    def field(self, labels: frozenset[str]) -> str | None:
        return next((values[0] for label, values in self.labelled.items() if label in labels), None)

    @property
    def listing_rows(self) -> bool:
        """A label given different values, or given again and again: the rows of a listing (a
        posting states its location once, perhaps again in its text)."""
        return any(len(set(values)) > 1 or len(values) > 2 for values in self.labelled.values())


def _read(body: Any, page_url: str, listing_prefix: str | None) -> _Page:
    """One pass over the body: text sizes, the title, the apply control and the labelled fields,
    all outside the chrome."""
    page = _Page()
    skipping: Any = None  # the chrome element being skipped, if any
    in_link = in_content = 0
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if skipping is None and tag and _is_chrome(element, tag, in_content):
                skipping = element
                page.chrome.add(element)
            in_link += tag == "a"
            in_content += tag in _CONTENT_ROOTS
            if skipping is None:
                _note(page, element, tag, in_link, page_url, listing_prefix)
            continue
        in_link -= tag == "a"
        in_content -= tag in _CONTENT_ROOTS
        if skipping is not None or tag in ("", "a") or in_link or tag in _NON_TEXT_TAGS:
            page.sizes[element] = 0
        else:
            size = len((element.text or "").strip())
            for child in element:
                size += page.sizes.get(child, 0) + len((child.tail or "").strip())
            page.sizes[element] = size
        if skipping is element:
            skipping = None
    return page


def _is_chrome(element: Any, tag: str, in_content: int) -> bool:
    if tag in _CHROME_TAGS or (tag in _SECTIONING and not in_content):
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE.search(element.get("style") or ""):
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if _ALWAYS_CHROME.search(names):
        return True
    return bool(_LIKELY_CHROME.search(names)) and not _CONTENT_NAME.search(names) and tag not in _CONTENT_ROOTS


def _note(page: _Page, element: Any, tag: str, in_link: int, page_url: str, listing_prefix: str | None) -> None:
    """What an element outside the chrome says: a title, an apply control or a labelled field."""
    if tag == "h1" and page.title is None:
        title = _squeeze(element.xpath("string()"))
        if 0 < len(title) <= _MAX_TITLE_CHARS:
            page.title, page.title_element = title, element
    elif tag == "a" and page.apply_url is None:
        href = (element.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            if _APPLY_TEXT.match(_squeeze(element.xpath("string()"))) or _APPLY_TARGET.search(href):
                url = href if href.startswith("mailto:") else absolute(page_url, href, canonicalize=False)
                if url and not _back_to_listing(url, page_url, listing_prefix):
                    page.apply_url = url
    if in_link or not tag or tag in _NON_TEXT_TAGS:
        return
    for label, value in _labelled(element, tag):
        if _is_value(value):
            page.labelled.setdefault(label, []).append(value)


def _labelled(element: Any, tag: str) -> list[tuple[str, str | None]]:
    """The (label, value) pairs an element states: as a label whose value follows it (dt/dd,
    th/td, "<strong>Lieu :</strong> Lyon", "<span>Ort</span><span>Wien</span>"), or as
    "Label: value" lines in its own text or the text after it ("Lieu : Lyon<br>Contrat : CDI")."""
    if tag in ("dt", "th") or (tag == "td" and element.getprevious() is None):
        label = _label(_squeeze(element.xpath("string()")))
        return [(label, _following_text(element, "td" if tag in ("th", "td") else "dd"))] if label else []
    found = []
    own = _squeeze(element.text or "")
    label = _label(own)
    if label and len(element):  # <p>Standort: <b>München</b></p>
        found.append((label, _squeeze(element.xpath("string()"))[len(own):].strip(" :：") or None))
    elif label:
        found.append((label, _squeeze(element.tail or "") or _following_text(element, None)))
    for line in (own, _squeeze(element.tail or "")):
        match = _LABEL_VALUE.match(line)
        if match and (label := _label(match.group(1))):
            found.append((label, match.group(2)))
    return found


def _is_value(value: str | None) -> bool:
    """A field's value, not a phone number or a date given a label such as "Office:" or "Ort:"."""
    if not value or len(value) > _MAX_VALUE_CHARS:
        return False
    return sum(c.isalpha() for c in value) > sum(c.isdigit() for c in value)


def _back_to_listing(url: str, page_url: str, listing_prefix: str | None) -> bool:
    """Whether an "Apply now" leads back to the site's start or its listing: a call to action on
    a page about working there, not a posting's application."""
    target, page = urlsplit(url), urlsplit(page_url)
    listing = {"/", ""} | ({listing_prefix, listing_prefix.rstrip("/")} if listing_prefix else set())
    return target.netloc.lower() == page.netloc.lower() and target.path in listing


def _label(text: str) -> str | None:
    """`text` as a known label ("Standort:", "LIEU :"), lower-cased; None otherwise."""
    name = text.rstrip(":： ").strip().lower()
    return name if name in LOCATION_LABELS or name in EMPLOYMENT_LABELS else None


def _following_text(element: Any, tag: str | None) -> str | None:
    """The text of the next sibling element (of that tag, when one is named)."""
    sibling = element.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    if sibling is None or (tag is not None and sibling.tag != tag):
        return None
    return _squeeze(sibling.xpath("string()")) or None


def _main_block(body: Any, page: _Page) -> Any:
    """The element holding the page's main text: down from the body into the child that holds
    nearly all of its text, until the text spreads over several children."""
    node = body
    while True:
        children = [child for child in node if page.sizes.get(child, 0) > 0]
        if not children:
            return node
        largest = max(children, key=lambda child: page.sizes[child])
        if page.sizes[largest] < _DESCEND_SHARE * page.sizes[node]:
            return node
        node = largest


def _content_root(block: Any) -> Any:
    """The article or main part around the block, or the whole body."""
    roots = block.xpath("ancestor-or-self::article | ancestor-or-self::main | ancestor-or-self::body")
    return roots[-1]


def _links_postings(block: Any, page_url: str, listing_prefix: str | None) -> bool:
    """Whether the part holding the main text links several pages that look like postings: a
    listing, not a posting."""
    own = canonical(page_url)
    found = set()
    for href in block.xpath(".//a/@href"):
        url = absolute(page_url, href.strip())
        if not url or url == own:
            continue
        path = urlsplit(url).path
        if (listing_prefix and path.startswith(listing_prefix) and path != listing_prefix) or JOB_PATH_WORDS.search(path):
            found.add(url)
    return len(found) >= _LISTING_LINKS


def _description_html(block: Any, page: _Page) -> str:
    """The block's HTML without its chrome, its title heading and what is not text."""
    kept = copy.deepcopy(block)
    # The copy has the block's shape: element for element, in the same order.
    doomed = [
        copied
        for original, copied in zip(block.iter(), kept.iter())
        if original in page.chrome or original is page.title_element or original.tag in _NON_TEXT_TAGS
    ]
    for element in doomed:
        if element is not kept:
            _drop(element)
    return etree.tostring(kept, encoding="unicode", method="html", with_tail=False)


def _drop(element: Any) -> None:
    """Remove `element` but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _title(heading: str | None, response: TextResponse) -> str | None:
    """The page's heading, unless it names the site or its careers section ("Karriere"), when
    og:title (without the site's name appended: "Koch (m/w/d) | Gasthof Post") says more."""
    root = response.selector.root
    site = _squeeze(next(iter(_OG_SITE_NAME(root)), ""))
    if heading and heading != site and not _SECTION_HEADING.match(heading):
        return heading
    title = _squeeze(next(iter(_OG_TITLE(root)), ""))
    if site:
        title = re.sub(rf"\s*[|\-–—·:]\s*{re.escape(site)}$", "", title)
    if title == site or _SECTION_HEADING.match(title):
        return None
    return title if 0 < len(title) <= _MAX_TITLE_CHARS else None


def _squeeze(text: str) -> str:
    return " ".join(text.split())
