"""`jobatlas sources try NAME|URL`: fetch one page and show, field by field, what jobatlas reads
from it and by which path, so that a recipe can be written (and checked) in minutes.

The page is fetched once, as the crawler identifies itself, and read by every path the careers-site
spider has, in its order: schema.org JobPosting markup (JSON-LD or microdata), the source's recipe,
the embedded application state, the DOM fallback; and rendered in Chromium where a crawl would
render it (the source says `render: true`, or the page is an application shell). The first that reads a posting is the one the
crawl uses; the others are shown too. Each posting then goes through the same cleaning, language,
location and normalising steps as in a crawl, so the values shown are the values a crawl stores.
The page's links are shown as the crawl would follow them (postings, next pages), with the ATS
boards it embeds or links.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from crawler.app_shell import INSTALL_HINT, app_shell, browser_missing
from crawler.app_state import app_state_postings
from crawler.dom_fallback import dom_posting
from crawler.extract import (
    DOWNLOAD_LIMIT,
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
from crawler.settings import JOBATLAS_CHROMIUM, JOBATLAS_RENDER_TIMEOUT, USER_AGENT
from crawler.sources import Source
from pipelines.clean import clean_item
from pipelines.language import LanguagePipeline
from pipelines.location import LocationPipeline
from pipelines.normalize import NormalizePipeline

# The paths, in the order the spider tries them (the page rendered in Chromium last).
MARKUP, RECIPE, STATE, DOM, RENDERED = "json-ld/microdata", "recipe", "embedded state", "dom fallback", "rendered"
# How much of a description the table shows.
_PREVIEW_CHARS = 100
_LINKS_SHOWN = 10


class TryError(ValueError):
    """A NAME|URL that cannot be tried: no such source, or a source that is not a careers site."""


@dataclass
class Reading:
    """What one path read from the page: postings as a crawl stores them, and why (not)."""

    path: str
    postings: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class Trial:
    url: str
    status: int
    content_type: str
    size: int
    source: str | None
    readings: list[Reading] = field(default_factory=list)
    read_by: str | None = None  # the path a crawl takes on this page; None when none reads a posting
    posting_links: list[str] = field(default_factory=list)
    links_by: str = "guess"  # "recipe" when the source's recipe names its posting links
    next_pages: list[str] = field(default_factory=list)
    ats_boards: dict[str, str] = field(default_factory=dict)  # board URL → kind
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_source(target: str, sources: list[Source]) -> Source | None:
    """The source `target` names, or, for a URL, the careers site whose URL it lies under (its
    recipe applies); None for a URL that no source covers. Raises TryError for an unknown name."""
    if target.startswith(("http://", "https://")):
        page = urlsplit(target)
        covering = [
            source for source in sources
            if source.kind == "careers_site"
            and urlsplit(source.url).netloc.lower() == page.netloc.lower()
            and page.path.startswith(listing_prefix(source.url).rstrip("/"))
        ]
        return max(covering, key=lambda source: len(urlsplit(source.url).path), default=None)
    named = next((source for source in sources if source.name == target), None)
    if named is None:
        known = ", ".join(source.name for source in sources[:10]) + (", ..." if len(sources) > 10 else "")
        raise TryError(f"no source named {target!r} (give a URL, or one of: {known or 'none'})")
    if named.kind != "careers_site":
        raise TryError(f"{named.name} is a {named.kind} board, read through its API: `sources try` is for careers pages")
    return named


def fetch_page(url: str, timeout: float = 15.0) -> TextResponse:
    """One GET as the crawler identifies itself, made into the response Scrapy would make of it.
    Raises OSError when the page cannot be fetched (an HTTP error status included)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        body = answer.read(DOWNLOAD_LIMIT)
        headers = Headers(list(answer.headers.items()))
        final_url, status = answer.geturl(), answer.status
    response = responsetypes.from_args(headers=headers, url=final_url, body=body)(
        url=final_url, status=status, headers=headers, body=body
    )
    if not isinstance(response, TextResponse):
        raise OSError(f"{final_url} is not a page ({headers.get('Content-Type', b'no Content-Type').decode('latin-1')})")
    return response


def try_page(target: str, sources: list[Source], timeout: float = 15.0) -> Trial:
    """Fetch the page `target` names (a source's careers URL, or any URL) and read it every way."""
    source = find_source(target, sources)
    url = target if source is None or target.startswith(("http://", "https://")) else source.url
    response = fetch_page(url, timeout)
    trial = read_page(response, source)
    _read_rendered(trial, response, source)
    return trial


def _read_rendered(trial: Trial, response: TextResponse, source: Source | None) -> None:
    """The page rendered in Chromium, as a crawl would render it: when its source says
    `render: true`, or when it shows nothing (no posting, no link) and looks like an application
    shell. What the rendered page and the JSON it fetched give is one more reading."""
    shell = None if trial.read_by or trial.posting_links or trial.next_pages else app_shell(response.selector)
    declared = source.render if source else None
    if not (declared or (shell and declared is not False)):
        return
    why = "the source says render: true" if declared else f"an application shell ({shell})"
    missing = browser_missing({"JOBATLAS_CHROMIUM": JOBATLAS_CHROMIUM})
    if missing:
        trial.readings.append(Reading(RENDERED, note=f"{why}, but {missing}; {INSTALL_HINT}"))
        return
    from crawler.render import RenderProblem, render_once  # imports Playwright: only when rendering

    try:
        html, answers = render_once(response.url, shutil.which(JOBATLAS_CHROMIUM), _fetch, JOBATLAS_RENDER_TIMEOUT)
    except RenderProblem as problem:
        trial.readings.append(Reading(RENDERED, note=f"{why}; {problem.problem_kind}: {problem}"))
        return
    rendered = read_page(TextResponse(response.url, body=html.encode("utf-8"), encoding="utf-8"), source, answers)
    postings = next((reading.postings for reading in rendered.readings if reading.path == rendered.read_by), [])
    how = f"read by {rendered.read_by}" if rendered.read_by else "no posting"
    trial.readings.append(Reading(RENDERED, postings, f"{why}; {len(answers)} JSON answers; {how}"))
    if trial.read_by is None and postings:
        trial.read_by = RENDERED
    trial.posting_links = trial.posting_links or rendered.posting_links
    trial.next_pages = trial.next_pages or rendered.next_pages


def _fetch(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """A rendered page's request, made as the crawler identifies itself; an error status is an answer."""
    request = urllib.request.Request(url, data=body or None, method=method, headers={**headers, "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status, dict(answer.headers.items()), answer.read(DOWNLOAD_LIMIT)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read(DOWNLOAD_LIMIT)


def read_page(response: TextResponse, source: Source | None, answers: list[Any] | tuple = ()) -> Trial:
    """Everything each path reads from `response`, as a careers page of `source` (if any), with
    the JSON `answers` its scripts fetched when it was rendered."""
    url = response.url
    prefix = listing_prefix(source.url) if source else None
    recipe = source.recipe if source else None
    careers_url = source is not None and canonical(url) == canonical(source.url)
    trial = Trial(
        url=url,
        status=response.status,
        content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
        size=len(response.body),
        source=source.name if source else None,
    )
    selector, text = response.selector, response.text
    alternates = hreflang_alternates(selector, url)
    declared = declared_language(selector, url, alternates)
    company = source.company if source else None

    def stored(nodes: list[dict[str, Any]], page_declared: str | None, several: bool) -> list[dict[str, Any]]:
        items = [
            to_item(node, source=trial.source or "try", page_url=node.get("url") or url, company=company,
                    declared=page_declared, alternates=alternates, several_on_page=several)
            for node in nodes
        ]
        return [_as_stored(item) for item in items]

    markup = extract_job_postings(selector, url)
    trial.readings.append(Reading(MARKUP, stored(markup.postings, declared, len(markup.postings) > 1),
                                  "; ".join(reason for reason, _ in markup.broken_blocks)))
    if recipe:
        node = recipe.posting(selector, url) if recipe.title else None
        rules = ", ".join(f"{name}: {rule}" for name, rule in recipe.model_dump(exclude_none=True).items())
        trial.readings.append(Reading(RECIPE, stored([node] if node else [], declared, False), rules))
    else:
        trial.readings.append(Reading(RECIPE, note="the source has no recipe" if source else "no source covers this URL"))
    state = app_state_postings(text, url, answers)
    trial.readings.append(Reading(STATE, stored(state, None, len(state) > 1)))
    fallback = dom_posting(response, prefix)
    trial.readings.append(Reading(DOM, stored([fallback] if fallback else [], None, False),
                                  "" if fallback else "not sure this is a posting page"))

    # The spider's order: markup, then the recipe on a posting page, then the state, then the
    # fallback on a page below the careers URL when the source has no recipe.
    used = {MARKUP: True, RECIPE: not careers_url, STATE: True, DOM: not careers_url and not recipe}
    trial.read_by = next((r.path for r in trial.readings if r.postings and used[r.path]), None)
    if careers_url:
        trial.notes.append("this is the source's careers URL: the crawl reads it as a listing (no recipe or DOM fallback posting)")

    host = urlsplit(url).netloc.lower()
    on_host = lambda links: sorted(link for link in links if urlsplit(link).netloc.lower() == host)  # noqa: E731
    by_recipe = recipe.posting_links(selector, url) if recipe else None
    if by_recipe is not None:
        trial.posting_links, trial.links_by = on_host(by_recipe), "recipe"
    elif trial.read_by is None:  # a page with a posting is not read for links to more
        trial.posting_links = on_host(job_links(selector, url, prefix or listing_prefix(url)))
    trial.posting_links = [link for link in trial.posting_links if link != canonical(url)]
    trial.next_pages = on_host(pagination_links(selector, url))
    trial.ats_boards = ats_boards(selector, url)
    own_kind = own_domain_board(text)
    if own_kind:
        trial.ats_boards[url] = own_kind
    return trial


def _as_stored(item: JobPosting) -> dict[str, Any]:
    """A posting's fields as a crawl stores them: cleaned, its language and places resolved."""
    if not clean_item(item):
        return {"title": None, "problem": "missing_title: a posting without a title is not stored"}
    for step in (LanguagePipeline(), LocationPipeline(), NormalizePipeline()):
        step.process_item(item)
    places = [
        {"raw": place["raw"], "city": place["city"], "region": place["region"], "country_code": place["country_code"]}
        for place in item.resolved_locations
    ]
    return {
        "title": item.title,
        "company": item.company,
        "locations": places,
        "description": item.description,
        "language": item.language,
        "language_method": item.language_method,
        "employment_type": item.employment_type,
        "workplace": item.workplace,
        "date_posted": item.date_posted,
        "valid_through": item.valid_through,
        "salary": _salary(item),
        "apply_url": item.apply_url,
        "url": item.url,
    }


def _salary(item: JobPosting) -> str | None:
    if item.salary_min is None and item.salary_max is None:
        return None
    amounts = "–".join(f"{amount:g}" for amount in (item.salary_min, item.salary_max) if amount is not None)
    return " ".join(part for part in (amounts, item.salary_currency, item.salary_period and f"per {item.salary_period.lower()}") if part)


# -- the table -------------------------------------------------------------------------------


def format_trial(trial: Trial) -> str:
    """The trial as a person reads it: the page, each path's count, then the postings field by field."""
    lines = [f"{trial.url}  {trial.status} {trial.content_type or 'no Content-Type'}, {trial.size / 1024:.1f} KiB"]
    lines.append(f"source: {trial.source or '(none: no careers site in the sources file covers this URL)'}")
    lines += [f"note: {note}" for note in trial.notes]
    lines.append("")
    width = max(len(reading.path) for reading in trial.readings)
    lines.append(f"{'path':{width}}  postings  used  how / why not")
    for reading in trial.readings:
        used = "yes" if reading.path == trial.read_by else ""
        lines.append(f"{reading.path:{width}}  {len(reading.postings):8}  {used:4}  {reading.note}".rstrip())
    for reading in trial.readings:
        for number, posting in enumerate(reading.postings, start=1):
            used = " (what the crawl stores)" if reading.path == trial.read_by else " (not used)"
            lines += ["", f"{reading.path}, posting {number}{used}:", *_posting_lines(posting)]
    if not trial.read_by:
        lines += ["", "No posting is read from this page."]
    lines.append("")
    links_by = "by the recipe's `postings`" if trial.links_by == "recipe" else "by their paths"
    lines.append(f"posting links ({links_by}): {len(trial.posting_links)}")
    lines += [f"  {link}" for link in trial.posting_links[:_LINKS_SHOWN]]
    if len(trial.posting_links) > _LINKS_SHOWN:
        lines.append(f"  ... and {len(trial.posting_links) - _LINKS_SHOWN} more")
    lines.append(f"next pages: {len(trial.next_pages)}")
    lines += [f"  {link}" for link in trial.next_pages[:_LINKS_SHOWN]]
    lines.append(f"ATS boards: {len(trial.ats_boards)}" + ("  (crawled with the site)" if trial.ats_boards else ""))
    lines += [f"  {kind}  {board}" for board, kind in trial.ats_boards.items()]
    return "\n".join(lines) + "\n"


def _posting_lines(posting: dict[str, Any]) -> list[str]:
    def shown(name: str, value: Any) -> str:
        if name == "description" and value:
            preview = " ".join(value.split())
            return (preview[:_PREVIEW_CHARS] + "…" if len(preview) > _PREVIEW_CHARS else preview) + f"  ({len(value)} chars)"
        if name == "language" and value:
            return f"{value} ({posting.get('language_method')})"
        if name == "locations":
            return "; ".join(
                f"{place['raw']} → " + ", ".join(part for part in (place["city"], place["region"], place["country_code"]) if part)
                for place in value
            ) or "-"
        return "-" if value in (None, "") else str(value)

    names = [name for name in posting if name != "language_method"]
    width = max(map(len, names))
    return [f"  {name:{width}}  {shown(name, posting[name])}" for name in names]
