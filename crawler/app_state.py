"""Job postings carried in a page's embedded application state, as schema.org JobPosting dicts.

Many careers sites render their jobs from a JavaScript framework's state (Next.js, Nuxt, Redux,
Apollo, Phenom) and publish no JobPosting markup. The state is JSON in the page, so the jobs can be
read without running the page: this module finds job-like objects in it by their keys, not by
site, and reshapes them into what `crawler.extract.to_item` already maps. Nothing here raises on
a page's content: a block that is not JSON, or too big, is skipped.
"""

from __future__ import annotations

import html as html_entities
import itertools
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from crawler.extract import absolute, text_of

# A state block bigger than this is not read: a page's jobs fit, a whole product catalogue may not.
MAX_BLOCK_CHARS = 5 * 1024 * 1024
# Bounds of the walk through one block: deep or huge states are cut short, never hang the crawl.
_MAX_DEPTH = 40
_MAX_NODES = 300_000

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_JSON_SCRIPT = re.compile(r"""type\s*=\s*["']?application/json|id\s*=\s*["']?__N(?:EXT|UXT)_DATA__""", re.IGNORECASE)
# `window.__INITIAL_STATE__ = {` and the like; what follows "=" is read as one JSON value (or a
# JSON.parse("...") of one). A Nuxt function expression `(function(a){...}(1))` is not JSON: skipped.
_ASSIGNMENT = re.compile(
    r"""(?:\b(?:window|self|globalThis)\s*(?:\.\s*|\[\s*["']))?"""
    r"""(__NUXT__|__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|phApp\.ddo)["']?\s*\]?\s*=\s*"""
    r"""(JSON\.parse\(\s*(?=")|(?=[\[{]))"""
)

# The keys sites give each field, in order of preference (schema.org's own name first where it has one).
_TITLE_KEYS = ["title", "jobTitle", "job_title", "positionName", "name", "text"]
_ID_KEYS = ["id", "jobId", "job_id", "uuid", "reqId", "requisitionId", "externalId", "slug"]
_URL_KEYS = ["url", "absolute_url", "jobUrl", "applyUrl", "hostedUrl", "externalPath", "href", "link"]
_LOCATION_KEYS = [
    "location",
    "locations",
    "jobLocation",
    "city",
    "country",
    "office",
    "offices",
    "address",
    "workplace",
]
_DESCRIPTION_KEYS = ["description", "descriptionHtml", "jobDescription", "content", "body", "summary"]
_SECTION_KEYS = ["responsibilities", "requirements", "qualifications", "tasks", "profile", "benefits", "lists"]
_REMOTE_KEYS = ["remote", "isRemote", "is_remote"]
_WORKPLACE_KEYS = ["jobLocationType", "workplaceType", "workplace", "locationType", "remoteType", "location"]
# When a job was published; failing that, when its record was made or changed.
_DATE_POSTED_KEYS = ["datePosted", "postedDate", "postedAt", "publishedAt", "published_at", "postedOn"]
_DATE_POSTED_KEYS += ["createdAt", "created_at", "updatedAt"]
_VALID_THROUGH_KEYS = ["validThrough", "expiresAt", "closingDate", "applicationDeadline"]
_EMPLOYMENT_KEYS = ["employmentType", "employment_type", "commitment", "jobType", "type"]
_DEPARTMENT_KEYS = ["department", "departments", "team", "category"]
_SALARY_KEYS = ["salary", "compensation", "salaryRange", "baseSalary", "pay"]
_COMPANY_KEYS = ["hiringOrganization", "company", "companyName", "organization", "employer"]
_LANGUAGE_KEYS = ["inLanguage", "language", "locale", "lang"]
# Keys only a job has: what lets a `name` + address object (an office) or a titled text (a blog
# post) count as a job when nothing around it says so.
_JOB_ONLY_KEYS = _EMPLOYMENT_KEYS[:-1] + _REMOTE_KEYS + _SALARY_KEYS + ["department", "reqId", "applyUrl", "hostedUrl"]
_WORKPLACE_WORD = re.compile(r"\s*(remote|hybrid|on-?site|in-?office|office)\s*", re.IGNORECASE)
_REMOTE = re.compile(r"\s*(fully\s+|100\s*%\s*)?remote\b|TELECOMMUTE", re.IGNORECASE)
_JOB_CONTEXT = re.compile(
    r"job|position|vacan|vacatur|opening|career|karriere|stelle|offre|oferta|empleo|emploi|vaga|requisition|posting",
    re.IGNORECASE,
)
# Words of job titles, whole words only: "engineer" is a job, "engineering" is a blog's topic.
JOB_TITLE = re.compile(
    r"\b(?:engineer|developer|manager|intern|analyst|designer|specialist|consultant|director|lead|architect|"
    r"scientist|assistant|coordinator|officer|administrator|technician|nurse|representative|executive|"
    r"werkstudent|praktikant|ingenieur|entwickler|mitarbeiter|referent|stagiaire|ingénieur|développeur|"
    r"responsable|chargé|desarrollador|ingeniero|gerente|analista|estagiário)\b"
    r"|\((?:m|f|h|w|d|x)(?:/(?:m|f|h|w|d|x))+\)",
    re.IGNORECASE,
)
# Where a titled text with an id is content, not a job, unless a job word says otherwise.
_CONTENT_CONTEXT = re.compile(r"post|article|blog|news|stor(?:y|ies)|event|product", re.IGNORECASE)


def app_state_postings(html: str, page_url: str, answers: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """The job postings in `html`'s embedded state (and in the JSON `answers` its scripts
    fetched, when it was rendered), as schema.org JobPosting dicts, in page order, one per
    (identifier or URL, language); [] for a page whose state holds no jobs.

    A job is an object with a short title, an id or a URL, and a location or a description (a
    description alone, or a title under `name`/`text`, also needs a job word in the title, the
    keys or type around it, or a key only jobs have). Jobs inside a job (similar jobs) are not
    returned, nor an object that holds a list of jobs (a page, not a job)."""
    return json_postings(itertools.chain(_state_blocks(html), answers), page_url)


def json_postings(values: Iterable[Any], page_url: str) -> list[dict[str, Any]]:
    """The job postings in already-parsed JSON values (a page's state blocks, the JSON answers a
    rendered page fetched), found and shaped as `app_state_postings` says."""
    refs: dict[str, Any] = {}
    jobs: list[dict[str, Any]] = []
    for block in values:
        jobs.extend(_find_jobs(block, refs))
    postings, seen = [], set()
    for job in jobs:
        try:
            posting = _to_posting(job, page_url, refs)
        except RecursionError:  # a value nested a thousand deep: no job writes its fields so
            continue
        key = (posting.get("identifier") or posting["url"], posting.get("inLanguage"))
        if key not in seen:
            seen.add(key)
            postings.append(posting)
    return postings


def _state_blocks(html: str) -> Iterator[Any]:
    """Each JSON value the page embeds: application/json scripts (__NEXT_DATA__, __NUXT_DATA__)
    and state assignments in other scripts."""
    for match in _SCRIPT.finditer(html):
        attributes, body = match.groups()
        if "ld+json" in attributes.lower():
            continue  # JSON-LD is read by crawler.extract
        if _JSON_SCRIPT.search(attributes):
            data = _load(body.strip())
            if data is not None and "__NUXT_DATA__" in attributes:
                data = _devalue(data)
            if data is not None:
                yield data
            continue
        for assignment in _ASSIGNMENT.finditer(body):
            data = _decode(body, assignment.end())
            if assignment.group(2) and isinstance(data, str):  # JSON.parse("...")
                data = _load(data)
            if data is not None:
                yield data


def _load(text: str) -> Any:
    if not text or len(text) > MAX_BLOCK_CHARS:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:  # a block written with HTML entities (&quot;)
        return json.loads(html_entities.unescape(text)) if "&" in text else None
    except (ValueError, RecursionError):
        return None


def _decode(text: str, start: int) -> Any:
    """The JSON value at `start`, ending where its braces balance; None when it is not JSON."""
    try:
        return json.JSONDecoder().raw_decode(text[start : start + MAX_BLOCK_CHARS])[0]
    except (ValueError, RecursionError):
        return None


def _devalue(table: Any) -> Any:
    """Nuxt 3's __NUXT_DATA__ is devalue's flat table: every value is an index into it, and
    wrappers like ["ShallowReactive", 1] tag values. Rebuilt into one tree (shared and cyclic
    references become shared objects; the walk visits each once)."""
    if not isinstance(table, list) or not table:
        return None
    memo: dict[int, Any] = {}

    def hydrate(index: Any, depth: int) -> Any:
        if type(index) is not int or not 0 <= index < len(table) or depth > _MAX_DEPTH:
            return None
        if index in memo:
            return memo[index]
        value = table[index]
        if isinstance(value, list) and value and isinstance(value[0], str):
            tagged = value[1] if len(value) == 2 else None
            memo[index] = tagged if value[0] in ("Date", "RegExp") else hydrate(tagged, depth + 1)
        elif isinstance(value, list):
            memo[index] = items = []
            items.extend(hydrate(element, depth + 1) for element in value)
        elif isinstance(value, dict):
            memo[index] = fields = {}
            fields.update((key, hydrate(element, depth + 1)) for key, element in value.items())
        else:
            memo[index] = value
        return memo[index]

    return hydrate(0, 0)


def _find_jobs(root: Any, refs: dict[str, Any]) -> list[dict[str, Any]]:
    """Job objects in `root`, breadth first (page order, outer objects first). Apollo's
    `Typename:id` entries are noted in `refs` on the way, to resolve `__ref` links later."""
    found, visited = [], set()
    queue = deque([(root, "", 0)])
    while queue and len(visited) < _MAX_NODES:
        node, context, depth = queue.popleft()
        if id(node) in visited or depth > _MAX_DEPTH:
            continue
        visited.add(id(node))
        if isinstance(node, dict):
            if _is_job(node, context):
                found.append(node)
                continue  # a job inside a job is a related job, not one of this page's
            children = [(str(key), value) for key, value in node.items()]
        elif isinstance(node, list):
            children = [("", value) for value in node]
        else:
            continue
        for key, value in children:
            if isinstance(value, (dict, list)):
                # The last keys on the way say what a list holds: entities/jobs/byId/42.
                queue.append((value, "/".join(context.split("/")[-2:] + [key]) if key else context, depth + 1))
                if isinstance(value, dict) and ":" in key and "__typename" in value:
                    refs[key] = value
    return found


def _first(node: dict[str, Any], keys: Sequence[str]) -> tuple[str, Any]:
    """The first key of `keys` with a value (not None, "", [] or {}), and that value."""
    for key in keys:
        value = node.get(key)
        if value not in (None, "", [], {}):
            return key, value
    return "", None


def _short_text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= 200 and "\n" not in value.strip()


def _is_job(node: dict[str, Any], context: str) -> bool:
    title_key = next((key for key in _TITLE_KEYS if _short_text(node.get(key))), None)
    if title_key is None:
        return False
    identified = any(type(node.get(key)) in (str, int) and node.get(key) != "" for key in _ID_KEYS)
    if not identified and not any(isinstance(node.get(key), str) and node[key].strip() for key in _URL_KEYS):
        return False
    located = _first(node, _LOCATION_KEYS + _REMOTE_KEYS)[1] is not None
    described = any(isinstance(node.get(key), str) and node[key].strip() for key in _DESCRIPTION_KEYS)
    if not (located or described):
        return False
    job_only = _first(node, _JOB_ONLY_KEYS)[1] is not None
    if title_key in ("name", "text") or not located:
        evidence = f"{context} {node.get('__typename', '')} {node.get('@type', '')}"
        job_word = _JOB_CONTEXT.search(evidence) or (
            not _CONTENT_CONTEXT.search(evidence) and JOB_TITLE.search(node[title_key])
        )
        if not (job_word or job_only):
            return False
    if described or job_only:
        return True  # a job, even one that lists similar jobs
    # A titled object holding a list of jobs and saying nothing of its own is a page or a group.
    return not any(isinstance(value, list) and sum(map(_looks_listed, value[:50])) >= 2 for value in node.values())


def _looks_listed(element: Any) -> bool:
    """A list element with a title and an id or URL: enough to call its list one of jobs."""
    return (
        isinstance(element, dict)
        and any(_short_text(element.get(key)) for key in _TITLE_KEYS[:4])
        and any(element.get(key) not in (None, "") for key in _ID_KEYS + _URL_KEYS)
    )


def _to_posting(job: dict[str, Any], page_url: str, refs: dict[str, Any]) -> dict[str, Any]:
    job = {key: _resolve(value, refs) for key, value in job.items()}
    posting: dict[str, Any] = {
        "@type": "JobPosting",
        "title": next(job[key].strip() for key in _TITLE_KEYS if _short_text(job.get(key))),
        "description": _description(job),
        "url": _url(job, page_url),
        "identifier": text_of(next((job[key] for key in _ID_KEYS if type(job.get(key)) in (str, int)), None)),
        "datePosted": _scalar(_first(job, _DATE_POSTED_KEYS)[1]),
        "validThrough": _scalar(_first(job, _VALID_THROUGH_KEYS)[1]),
        "employmentType": _employment_type(job),
        "jobLocation": _places(job),
        "department": text_of(_first(job, _DEPARTMENT_KEYS)[1]),
        "baseSalary": _salary(_first(job, _SALARY_KEYS)[1]),
        "inLanguage": _language(_first(job, _LANGUAGE_KEYS)[1]),
    }
    company = text_of(_first(job, _COMPANY_KEYS)[1])
    if company:
        posting["hiringOrganization"] = {"@type": "Organization", "name": company}
    if _remote(job):
        posting["jobLocationType"] = "TELECOMMUTE"
    return {key: value for key, value in posting.items() if value not in (None, []) or key == "url"}


def _resolve(value: Any, refs: dict[str, Any]) -> Any:
    """An Apollo `{"__ref": "Location:1"}` (or a list of them) → the object it names."""
    if isinstance(value, list):
        return [refs.get(v["__ref"]) if isinstance(v, dict) and isinstance(v.get("__ref"), str) else v for v in value]
    return refs.get(value["__ref"]) if isinstance(value, dict) and isinstance(value.get("__ref"), str) else value


def _scalar(value: Any) -> str | int | float | None:
    """A date as given: ISO text or epoch milliseconds."""
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def _url(job: dict[str, Any], page_url: str) -> str | None:
    href = next((job[key] for key in _URL_KEYS if isinstance(job.get(key), str) and job[key].strip()), None)
    return absolute(page_url, href.strip(), canonicalize=False) if href else None


def _description(job: dict[str, Any]) -> str | None:
    """The description, with the sections some sites keep apart (requirements, benefits) after it."""
    text = next((job[key] for key in _DESCRIPTION_KEYS if isinstance(job.get(key), str) and job[key].strip()), None)
    parts = [text] if text else []
    for key in _SECTION_KEYS:
        for section in job.get(key) if isinstance(job.get(key), list) else [job.get(key)]:
            if isinstance(section, dict):  # Lever's lists: {"text": heading, "content": "<li>…"}
                section = "\n".join(
                    v for k in ("text", "title", "name", "content") if isinstance(v := section.get(k), str)
                )
            if isinstance(section, str) and section.strip():
                parts.append(section)
    return "\n".join(parts) or None


def _employment_type(job: dict[str, Any]) -> Any:
    key, value = _first(job, _EMPLOYMENT_KEYS)
    if isinstance(value, list):
        return [text for text in map(text_of, value) if text] or None
    return value if isinstance(value, str) else (text_of(value) if key != "type" else None)


def _places(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Every location as a schema.org Place; a bare string stays the address as written."""
    own = _address(job, named=False)  # a job with its own city/country fields
    values: list[Any] = [own] if own else []
    for key in _LOCATION_KEYS:
        value = job.get(key)
        if key in ("city", "country") or (own and isinstance(value, str)):
            continue  # the job's own city/country are its place; "Berlin, Germany" beside them says it again
        if key == "workplace" and isinstance(value, str) and _WORKPLACE_WORD.fullmatch(value):
            continue  # a workplace type, not a place
        values.extend(value if isinstance(value, list) else [value])
    places: list[dict[str, Any]] = []
    for value in values:
        value = _address(value) if isinstance(value, dict) else value
        if isinstance(value, str):
            value = value.strip()
        if value and isinstance(value, (str, dict)):
            place = {
                "@type": "Place",
                "address": {"@type": "PostalAddress", **value} if isinstance(value, dict) else value,
            }
            if place not in places:
                places.append(place)
    return places


def _address(value: dict[str, Any], named: bool = True) -> dict[str, str] | str | None:
    """A location object's city/region/country, else (when `named`) its name ("Berlin Office")."""
    if isinstance(value.get("address"), dict):
        value = {**value, **value["address"]}
    address = {
        "addressLocality": text_of(_first(value, ("city", "locality", "cityName", "addressLocality"))[1]),
        "addressRegion": text_of(_first(value, ("region", "state", "stateCode", "province", "addressRegion"))[1]),
        "addressCountry": _code(
            _first(value, ("countryCode", "country_code", "country", "countryName", "addressCountry"))[1]
        ),
    }
    address = {key: text for key, text in address.items() if text}
    if not named:  # a job's own fields: a "state" alone may be its status, not a region
        return address if "addressLocality" in address or "addressCountry" in address else None
    return address or text_of(_first(value, ("name", "label", "displayName", "text", "title", "location"))[1])


def _code(value: Any) -> str | None:
    if isinstance(value, dict):
        value = _first(value, ("code", "alpha2", "isoCode", "name", "label"))[1]
    return text_of(value)


def _remote(job: dict[str, Any]) -> bool:
    if any(job.get(key) is True for key in _REMOTE_KEYS):
        return True
    workplace = [text_of(job.get(key)) for key in _WORKPLACE_KEYS]
    return any(text and _REMOTE.match(text) for text in workplace)


def _salary(value: Any, depth: int = 0) -> dict[str, Any] | None:
    """A salary object (min/max/currency/period under the names sites use) → MonetaryAmount."""
    if not isinstance(value, dict) or depth > 2:
        return None
    if value.get("@type") == "MonetaryAmount":
        return value
    nested = [v for v in value.values() if isinstance(v, dict)]
    low = _first(value, ("min", "minimum", "minValue", "min_amount", "minAmount", "from", "low"))[1]
    high = _first(value, ("max", "maximum", "maxValue", "max_amount", "maxAmount", "to", "high"))[1]
    if low is None and high is None:
        return _salary(nested[0], depth + 1) if len(nested) == 1 else None
    amount = {"@type": "QuantitativeValue", "minValue": low, "maxValue": high}
    period = text_of(_first(value, ("period", "interval", "unit", "unitText", "frequency", "salaryPeriod"))[1])
    if period:
        amount["unitText"] = period.upper()
    return {
        "@type": "MonetaryAmount",
        "currency": _code(_first(value, ("currency", "currencyCode", "currency_code"))[1]),
        "value": amount,
    }


def _language(value: Any) -> str | None:
    text = text_of(value.get("code") or value.get("name")) if isinstance(value, dict) else text_of(value)
    return text if text and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", text) else None
