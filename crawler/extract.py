"""Reading a careers page: schema.org JobPosting data, language evidence and links to follow.

Kept apart from the spider so that each function can be tested on a saved response. Nothing here
makes a request.
"""

from __future__ import annotations

import json
import posixpath
import re
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector
from w3lib.url import canonicalize_url

from crawler.items import JobPosting, RawLocation
from crawler.settings import USER_AGENT
from crawler.sources import BOARD_SHAPES, board_url

# -- JobPosting ----------------------------------------------------------------------------


@dataclass
class Extraction:
    postings: list[dict[str, Any]] = field(default_factory=list)
    # Why each unreadable JSON-LD block failed, and whether it may have held a posting (it names one).
    broken_blocks: list[tuple[str, bool]] = field(default_factory=list)

    def hidden_postings(self) -> bool:
        """Whether a broken block may have hidden a posting: one names a JobPosting and the page
        gave none. Broken breadcrumbs or organisation blocks beside a posting hide nothing."""
        return not self.postings and any(may_hold_posting for _, may_hold_posting in self.broken_blocks)


_TRAILING_COMMA = re.compile(r",\s*([}\]])")


# lxml's own compiled XPath, plain strings out: parsel wraps every result in a Selector, and
# lxml's default "smart" strings each build a proxy of their element (a hundred links a page).
_JSON_LD_BLOCKS = etree.XPath('//script[@type="application/ld+json"]/text()', smart_strings=False)
_HTML_LANG = etree.XPath("/html/@lang", smart_strings=False)
_ALTERNATE_LINKS = etree.XPath('//link[@rel="alternate"][@hreflang][@href]')
_NEXT_HREFS = etree.XPath(
    '//link[@rel="next"]/@href | //a[contains(concat(" ", @rel, " "), " next ")]/@href', smart_strings=False
)
_LINK_HREFS = etree.XPath("//a/@href", smart_strings=False)
_EMBED_REFERENCES = etree.XPath("//a/@href | //iframe/@src | //script/@src", smart_strings=False)


def extract_job_postings(selector: Selector, base_url: str) -> Extraction:
    """Every schema.org JobPosting on a page, from JSON-LD and microdata, as JSON-LD-shaped dicts."""
    extraction = Extraction()
    for block in _JSON_LD_BLOCKS(selector.root):
        try:
            data = _load_json_ld(block)
        except ValueError as error:
            extraction.broken_blocks.append((str(error), "jobposting" in block.lower()))
            continue
        extraction.postings.extend(_job_posting_nodes(data))
    if not extraction.postings and selector.xpath('//@itemtype[contains(., "JobPosting")]'):
        extraction.postings.extend(_microdata_postings(selector, base_url))
    return extraction


def _load_json_ld(block: str) -> Any:
    """Parse a JSON-LD block, forgiving what real sites get wrong (raw control characters in
    strings, trailing commas, an HTML comment wrapper)."""
    text = block.strip()
    if text.startswith("<!--"):
        text = text.removeprefix("<!--").removesuffix("-->").strip()
    if not text:
        raise ValueError("empty JSON-LD block")
    try:
        return json.loads(text, strict=False)
    except ValueError as error:
        first_error = error
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
    except ValueError:
        raise ValueError(f"malformed JSON-LD: {first_error}") from None


def _is_job_posting(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for t in types)


def _job_posting_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """JobPosting objects anywhere in a JSON-LD document (arrays, @graph, nested mainEntity)."""
    if isinstance(data, list):
        for element in data:
            yield from _job_posting_nodes(element)
    elif isinstance(data, dict):
        if _is_job_posting(data):
            yield data
            return
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _job_posting_nodes(value)


def _microdata_postings(selector: Selector, base_url: str) -> list[dict[str, Any]]:
    # Imported on the first page with microdata: extruct brings BeautifulSoup, requests and
    # rdflib along, a third of a second of every crawl's start-up, which ATS boards never need.
    from extruct.w3cmicrodata import MicrodataExtractor

    # extruct resolves every itemprop URL and raises on one that cannot be parsed ("http://[::1"):
    # such a value says nothing, so it goes before the page's microdata is read.
    for element in selector.root.xpath("//*[@itemprop][@href or @src]"):
        for attribute in ("href", "src"):
            if attribute in element.attrib and absolute(base_url, element.attrib[attribute], canonicalize=False) is None:
                del element.attrib[attribute]
    postings = []
    for item in MicrodataExtractor(add_html_node=True).extract_items(selector.root, base_url):
        if not str(item.get("type", "")).endswith("JobPosting"):
            continue
        posting = _microdata_to_json_ld(item)
        # Microdata flattens the description to text: keep its markup, as JSON-LD would.
        node = item.get("htmlNode")
        if node is not None:
            description = node.xpath('.//*[@itemprop="description"]')
            if description:
                posting["description"] = _inner_html(description[0])
        postings.append(posting)
    return postings


def _microdata_to_json_ld(item: Any) -> Any:
    if isinstance(item, list):
        return [_microdata_to_json_ld(element) for element in item]
    if not isinstance(item, dict) or "properties" not in item:
        return item
    node = {"@type": str(item.get("type", "")).rsplit("/", 1)[-1]}
    for name, value in item["properties"].items():
        node[name] = _microdata_to_json_ld(value)
    return node


def _inner_html(element: etree._Element) -> str:
    parts = [element.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in element)
    return "".join(parts)


# -- language evidence ---------------------------------------------------------------------

_LOCALE_SEGMENT = re.compile(r"^([a-z]{2})(?:[-_]([a-zA-Z]{2}))?$")


def language_tag(value: str | None) -> str | None:
    """'fr-FR', 'fr_fr', 'FR' → 'fr'; anything that is not a language tag → None."""
    if not value:
        return None
    match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", value)
    if not match:
        return None
    primary = match.group(1).lower()
    return primary if len(primary) == 2 else None


def hreflang_alternates(selector: Selector, base_url: str) -> dict[str, str]:
    """hreflang → absolute URL of each declared language version (x-default left out)."""
    alternates = {}
    for link in _ALTERNATE_LINKS(selector.root):
        hreflang = link.get("hreflang").strip().lower()
        if hreflang != "x-default":
            url = absolute(base_url, link.get("href"))
            if url:
                alternates[hreflang] = url
    return alternates


def declared_language(selector: Selector, url: str, alternates: dict[str, str]) -> str | None:
    """The language the page says it is in: the hreflang that points at itself, then the URL's
    locale segment (/fr/, /fr-fr/), then <html lang>. Evidence for the language pipeline, which
    checks it against the posting's own text."""
    own_url = canonical(url)
    for hreflang, alternate in alternates.items():
        if alternate == own_url and language_tag(hreflang):
            return language_tag(hreflang)
    for segment in urlsplit(url).path.split("/")[:3]:
        match = _LOCALE_SEGMENT.match(segment)
        if match and (match.group(2) or len(segment) == 2):
            return match.group(1)
    return language_tag(next(iter(_HTML_LANG(selector.root)), None))


# A careers page bigger than this is not read further by `detect_source`.
DOWNLOAD_LIMIT = 4 * 1024 * 1024

# -- links ---------------------------------------------------------------------------------

# Path words that careers sites use for listings and postings, in the languages we meet most.
JOB_PATH_WORDS = re.compile(
    r"job|career|karriere|carriere|carrera|carreira|position|posizion|vacanc|vacature|vacante|"
    r"opening|stelle|stellen|emploi|empleo|emprego|offre|oferta|offert|vaga|lavor|werken|"
    r"requisition|recrut|recruit|hiring|rekryt|jobb|praca|stanowisk|apply",
    re.IGNORECASE,
)
_NEXT_TEXT = re.compile(
    r"^\s*(next|next page|suivant|suivante|page suivante|weiter|nächste|siguiente|próxima|"
    r"seguinte|successiva|avanti|volgende|nästa|następna|›|»|>|→)\s*[›»>→]?\s*$",
    re.IGNORECASE,
)
_PAGE_PARAM = re.compile(r"[?&](page|p|pg|seite|pagina|offset|start)=\d+", re.IGNORECASE)
_SKIP_EXTENSIONS = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|zip|gz|png|jpe?g|gif|svg|webp|ico|css|js|mp4|mp3|woff2?)$", re.IGNORECASE
)


# Query parameters that say where a visitor came from, not which page this is.
_TRACKING_PARAMETER = re.compile(r"^(utm_\w+|gclid|fbclid|msclkid|mc_cid|mc_eid|ref|referrer|src|source|gh_src|trk|lever-source)$")


def canonical(url: str) -> str:
    """One spelling per page: sorted query, no fragment, no tracking parameters."""
    parts = urlsplit(url)
    if parts.query:
        kept = [pair for pair in parts.query.split("&") if not _TRACKING_PARAMETER.match(pair.split("=", 1)[0])]
        url = parts._replace(query="&".join(kept)).geturl()
    return canonicalize_url(url, keep_fragments=False)


def absolute(base_url: str, href: str, canonicalize: bool = True) -> str | None:
    """`href` made absolute against the page (and canonical); None for a URL that cannot be
    parsed at all ("http://[::1", a port of 99999): pages carry such links, the crawl skips them."""
    try:
        url = urljoin(base_url, href)
        return canonical(url) if canonicalize else url
    except ValueError:
        return None


def pagination_links(selector: Selector, base_url: str) -> set[str]:
    """Next-page links: rel=next, anchors reading "next" in several languages, ?page=N links."""
    root = selector.root
    hrefs = _NEXT_HREFS(root)
    for anchor in root.xpath("//a[@href]"):
        text = " ".join(anchor.xpath(".//text()")) or anchor.get("aria-label", "")
        href = anchor.get("href")
        if _NEXT_TEXT.match(text) or _PAGE_PARAM.search(href):
            hrefs.append(href)
    return {url for href in hrefs if _followable(href) and (url := absolute(base_url, href))}


def listing_prefix(careers_url: str) -> str:
    """The careers listing's folder, under which its postings usually are: "/careers/" and
    "/careers" give "/careers/"; "/careers/index.html" is in "/careers/"."""
    path = urlsplit(careers_url).path or "/"
    if path.endswith("/"):
        return path
    if "." in path.rsplit("/", 1)[-1]:
        return posixpath.dirname(path).rstrip("/") + "/"
    return path + "/"


def job_links(selector: Selector, base_url: str, listing_prefix: str) -> set[str]:
    """Links that may lead to postings: under the careers URL's path, or with a job word in the
    path. The caller keeps them on the source's hosts."""
    links = set()
    for href in _LINK_HREFS(selector.root):
        if not _followable(href):
            continue
        url = absolute(base_url, href)
        if not url:
            continue
        path = urlsplit(url).path
        if path.startswith(listing_prefix) or JOB_PATH_WORDS.search(path):
            links.add(url)
    return links


# A cheap first look at a link before parsing it: does it name an ATS board host at all (the hosts
# the board shapes of crawler/sources.py know)?
_ATS_HOSTS = re.compile("|".join(shape.hosts.pattern for shapes in BOARD_SHAPES.values() for shape in shapes))

# What gives away a page served by an ATS on the company's own domain (`careers.acme.com`), where
# the host says nothing: the ATS's asset hosts, scripts and markers in the page. (A page that only
# links or embeds a board on the ATS's host is read by `ats_boards`.)
_OWN_DOMAIN_FINGERPRINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("teamtailor", re.compile(r"[a-z-]+\.teamtailor-cdn\.com|cdn\.teamtailor\.com")),
    ("recruitee", re.compile(r"careers-analytics\.recruitee\.com|__RECRUITEE")),
    ("personio", re.compile(r"<meta[^>]+content=[\"']Personio[\"']|assets\.cdn\.personio\.de")),
    ("softgarden", re.compile(r"softgarden\.io/assets/|tracker\.softgarden\.de|matomo\.softgarden\.io")),
    ("dvinci", re.compile(r"dvinciVersion|ng-app=[\"']dvinci")),
    ("successfactors", re.compile(r"rmkcdn\.successfactors\.com")),
    ("eightfold", re.compile(r"static\.vscdn\.net|eightfold\.ai/careers|window\._EF_GROUP_ID")),
    ("avature", re.compile(r"[a-z0-9-]+\.avature\.net/|/careers/(SearchJobs|JobDetail)/")),
    ("factorial", re.compile(r"data-job-postings-url=")),
    ("phenom", re.compile(r"cdn\.phenompeople\.com|phApp\.ddo\s*=|\"widgetApiEndpoint\"")),
)
# Fingerprints are looked for in the page's first part only: where scripts and assets are named.
_FINGERPRINT_WINDOW = 200_000


def own_domain_board(page: str) -> str | None:
    """The ATS serving this page on the company's own domain, by its fingerprints; None for a
    careers page of the company's own making."""
    head = page[:_FINGERPRINT_WINDOW]
    return next((kind for kind, fingerprint in _OWN_DOMAIN_FINGERPRINTS if fingerprint.search(head)), None)


def ats_boards(selector: Selector, base_url: str) -> dict[str, str]:
    """ATS boards a careers page embeds or links (iframes, embed scripts, links to postings):
    board URL → kind."""
    boards = {}
    for reference in _EMBED_REFERENCES(selector.root):
        if not _ATS_HOSTS.search(reference):
            continue
        url = absolute(base_url, reference.strip(), canonicalize=False)
        found = board_url(url) if url else None
        if found:
            kind, url = found
            boards[url] = kind
    return boards


@dataclass
class Detection:
    """What a URL is to crawl as: its kind and the URL to crawl, and the boards its page links."""

    kind: str
    url: str
    linked_boards: dict[str, str] = field(default_factory=dict)  # board URL → kind


def detect_source(url: str, fetch: bool = True, timeout: float = 15.0) -> Detection:
    """The kind of source `url` is: an ATS board by its URL; else, fetching the page once (as the
    crawler identifies itself), an ATS board on the company's own domain by the page's
    fingerprints, or a careers site, with the ATS boards it links. Raises OSError when the page
    cannot be fetched."""
    found = board_url(url)
    if found:
        return Detection(*found)
    if not fetch:
        return Detection("careers_site", url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        body = answer.read(DOWNLOAD_LIMIT)
        charset = answer.headers.get_content_charset() or "utf-8"
    page = body.decode(charset, errors="replace")
    if re.match(r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", page, re.DOTALL):
        return Detection("feed", url)
    kind = own_domain_board(page)
    if kind:
        return Detection(kind, url)
    return Detection("careers_site", url, ats_boards(Selector(text=page), url))


def _followable(href: str) -> bool:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return False
    return not _SKIP_EXTENSIONS.search(href.split("?", 1)[0].split("#", 1)[0])


# -- schema.org JobPosting → JobPosting item -----------------------------------------------


def to_item(
    node: dict[str, Any],
    *,
    source: str,
    page_url: str,
    company: str | None = None,
    declared: str | None = None,
    alternates: dict[str, str] | None = None,
    several_on_page: bool = False,
) -> JobPosting:
    """Map one JSON-LD/microdata JobPosting onto the item, keeping values as published."""
    identifier = _identifier(node.get("identifier"))
    own_url = canonical(page_url)
    key = own_url
    if several_on_page:  # a listing page carrying every posting: the page URL is not enough
        key = f"{own_url}#{identifier or text_of(node.get('title')) or ''}"
    language_versions = set((alternates or {}).values())
    if language_versions:
        translation_key = min(language_versions | {own_url})
    else:
        translation_key = f"id:{identifier}" if identifier else None
    return JobPosting(
        source=source,
        key=key,
        url=page_url,
        external_id=identifier,
        apply_url=_apply_url(node, page_url),
        translation_key=translation_key,
        title=text_of(node.get("title")) or text_of(node.get("name")),
        company=text_of(node.get("hiringOrganization")) or company,
        department=text_of(node.get("department")),
        description_html=text_of(node.get("description")),
        locations=_locations(node),
        employment_type_raw=node.get("employmentType"),
        job_location_type=node.get("jobLocationType"),
        date_posted_raw=node.get("datePosted"),
        valid_through_raw=node.get("validThrough"),
        salary_raw=node.get("baseSalary") or node.get("estimatedSalary"),
        declared_language=declared,
    )


def text_of(value: Any) -> str | None:
    """A published value as text: strings and numbers as they are, a schema.org object by its
    name or value, a list by its first element."""
    if isinstance(value, list):
        return next((text for text in map(text_of, value) if text), None)
    if isinstance(value, dict):
        return text_of(value.get("name") or value.get("value") or value.get("@value"))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _identifier(value: Any) -> str | None:
    """A PropertyValue identifier names its scheme in `name` and the id in `value`."""
    if isinstance(value, list):
        return next((text for text in map(_identifier, value) if text), None)
    if isinstance(value, dict):
        return text_of(value.get("value") or value.get("@value") or value.get("@id"))
    return text_of(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _locations(node: dict[str, Any]) -> list[RawLocation]:
    locations = []
    for place in _as_list(node.get("jobLocation")):
        if isinstance(place, str):
            locations.append(RawLocation(raw=place))
            continue
        if not isinstance(place, dict):
            continue
        address = place.get("address")
        geo = place.get("geo") if isinstance(place.get("geo"), dict) else {}
        if isinstance(address, list):
            address = next((a for a in address if isinstance(a, dict)), None)
        if isinstance(address, dict):
            parts = [
                text_of(address.get(name))
                for name in ("addressLocality", "addressRegion", "addressCountry")
            ]
            locations.append(
                RawLocation(
                    raw=", ".join(part for part in parts if part),
                    city=parts[0],
                    region=parts[1],
                    country=parts[2],
                    postal_code=text_of(address.get("postalCode")),
                    latitude=_number(geo.get("latitude")),
                    longitude=_number(geo.get("longitude")),
                )
            )
        else:
            raw = text_of(address) or text_of(place)
            if raw:
                locations.append(RawLocation(raw=raw))
    for requirement in _as_list(node.get("applicantLocationRequirements")):
        name = text_of(requirement)
        if name:
            locations.append(RawLocation(raw=name, country=name, remote=True))
    return locations


def _apply_url(node: dict[str, Any], page_url: str) -> str | None:
    for action in _as_list(node.get("potentialAction")):
        if isinstance(action, dict):
            target = action.get("target")
            target = target.get("urlTemplate") if isinstance(target, dict) else target
            if isinstance(target, str) and target.startswith(("http://", "https://", "/")):
                return absolute(page_url, target, canonicalize=False)
    return None
