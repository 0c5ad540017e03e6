"""The sources file: load it, validate every entry, and tell which ATS board a URL names.

A bad file is refused as a whole, before any request is made, with a message naming the entry
and the problem (the CLI turns `SourcesError` into exit status 2).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import SplitResult, parse_qs, urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from crawler.recipe import Recipe

Kind = Literal[
    "careers_site",
    "greenhouse",
    "lever",
    "ashby",
    "workable",
    "smartrecruiters",
    "recruitee",
    "personio",
    "teamtailor",
    "workday",
    "join",
    "successfactors",
    "pinpoint",
    "oracle",
    "eightfold",
    "jobylon",
    "gem",
    "icims",
    "rippling",
    "gupy",
    "softgarden",
    "breezy",
    "comeet",
    "bamboohr",
    "hibob",
    "ukg",
    "dvinci",
    "homerun",
    "taleo",
    "welcometothejungle",
    "phenom",
    "factorial",
    "umantis",
    "cornerstone",
    "dayforce",
    "avature",
    "paylocity",
    "feed",
]


class SourcesError(ValueError):
    """The sources file cannot be used; the message says where and why."""


# -- ATS boards: the one place that reads board URLs ---------------------------------------------
#
# Telling a source's kind, finding the boards a careers page links to, and each ATS spider's API
# URL all start from the same question - which board does this URL name? - answered here.


@dataclass(frozen=True)
class Board:
    """An ATS board as a URL names it: the host it is served on and what the ATS calls it."""

    kind: Kind
    scheme: str
    netloc: str  # lower-cased host, with its port when the URL gives one
    name: str | None = None  # the board's name in its path (token, slug, site); None where the host names it
    tenant: str | None = None  # Workday: the company's name in the host
    locale: str | None = None  # a language prefix of the path (Workday, Teamtailor): `/fr-CA/jobs` → "fr-CA"
    eu: bool = False  # on an EU host (Greenhouse, Lever), answered by the ATS's EU API host
    prefix: str = ""  # path segments before the name on the board's page: Workday's `recruiting/{tenant}`

    @property
    def origin(self) -> str:
        """`scheme://host` as the URL gives it: where a career site on its own host answers."""
        return f"{self.scheme}://{self.netloc}"

    @property
    def url(self) -> str:
        """The board's canonical URL - https, without posting, locale or query - one per board."""
        path = "/".join(part for part in (self.prefix, self.name) if part)
        return f"https://{self.netloc}/{path}" if path else f"https://{self.netloc}"


class BoardShape(NamedTuple):
    """Where an ATS serves its boards (or their API), and how a URL there names one. A kind may
    have several: its board pages, its API hosts, another product's hosts."""

    hosts: re.Pattern[str]
    read: Callable[[Kind, SplitResult], Board | None]
    # Companies may serve the career site on their own domain, where only a declared kind tells it.
    on_own_domains: bool = False


# A board's name as a URL path gives it (`%` for Ashby's names with spaces).
_BOARD_NAME = re.compile(r"[A-Za-z0-9_.%-]+")
# First path segments of board hosts that are embeds or APIs, never a board's name.
_NOT_BOARD_NAMES = frozenset({"embed", "api"})
# A language prefix of a path: `de`, `en-US`, `zh-Hant`.
_LOCALE = re.compile(r"[a-z]{2}(-[A-Za-z]{2,4})?")


def _named_in_path(kind: Kind, url: SplitResult) -> Board | None:
    """Lever, Ashby, SmartRecruiters: the first path segment names the board (`jobs.lever.co/acme/<posting>`)."""
    return _named(kind, url, _first_segment(url))


def _greenhouse(kind: Kind, url: SplitResult) -> Board | None:
    # Embeds (`/embed/job_board?for=acme`, `/embed/job_app?for=acme&token=1`) name the board in the query.
    return _named(kind, url, parse_qs(url.query).get("for", [""])[0] or _first_segment(url))


def _workable(kind: Kind, url: SplitResult) -> Board | None:
    account = _first_segment(url)
    # `/j/<shortcode>` is a short link to a posting, naming no account.
    return None if account.lower() == "j" else _named(kind, url, account)


def _workday(kind: Kind, url: SplitResult) -> Board | None:
    segments = _path_segments(url)
    if segments[:2] == ["wday", "cxs"]:  # the CXS API: `/wday/cxs/{tenant}/{site}/jobs`
        segments = segments[3:4]
    # A language prefix (`/en-US/External`) picks the page chrome; the site's name follows it.
    locale = segments[0] if len(segments) > 1 and _LOCALE.fullmatch(segments[0]) else None
    site = segments[1 if locale else 0] if segments else ""
    tenant = (url.hostname or "").split(".")[0]
    return _named(kind, url, site, tenant=tenant, locale=locale)


def _teamtailor(kind: Kind, url: SplitResult) -> Board:
    # A multi-language career site serves each language under a prefix: `/de/jobs`, `/fr-CA/jobs`.
    first = _first_segment(url)
    return Board(kind, url.scheme, url.netloc.lower(), locale=first if _LOCALE.fullmatch(first) else None)


def _workday_site(kind: Kind, url: SplitResult) -> Board | None:
    """`wdN.myworkdaysite.com/[locale/]recruiting/{tenant}/{site}`: the tenant is in the path."""
    match = re.match(r"/(?:([a-z]{2}(?:-[A-Za-z]{2,4})?)/)?recruiting/([^/]+)/([^/?#]+)", url.path)
    if not match:
        return None
    locale, tenant, site = match.groups()
    board = _named(kind, url, site, tenant=tenant, locale=locale)
    return dataclasses.replace(board, prefix=f"recruiting/{tenant}") if board else None


def _in_api_path(pattern: str, prefix: str = "") -> Callable[[Kind, SplitResult], Board | None]:
    """A reader for an API URL whose path names the board in `pattern`'s one group
    (`/v1/boards/{token}/jobs`): read as the board's own URL form (`prefix` the path before the
    name there), so that the spider derives the API URL from it as from a board URL pasted by hand."""
    compiled = re.compile(pattern)

    def read(kind: Kind, url: SplitResult) -> Board | None:
        match = compiled.match(url.path)
        board = _named(kind, url, match.group(1), board_host=BOARD_HOSTS[kind]) if match else None
        return dataclasses.replace(board, prefix=prefix) if board and prefix else board

    return read


def _tenant_host(*vendor_labels: str) -> Callable[[Kind, SplitResult], Board | None]:
    """A reader for ATSs that give each company a host of its own (`acme.bamboohr.com`): the host
    is the board, unless its first label is one of the ATS's own (`www`, `app`, `assets-cdn`)."""

    def read(kind: Kind, url: SplitResult) -> Board | None:
        label = (url.hostname or "").split(".")[0]
        return None if label in {"www", *vendor_labels} else Board(kind, url.scheme, url.netloc.lower())

    return read


def _in_path(pattern: str, prefix: str = "") -> Callable[[Kind, SplitResult], Board | None]:
    """A reader for boards that a path names (`ats.rippling.com/{board}/jobs`): `pattern`'s groups,
    joined by `/`, are the board's name; `prefix` the path before it on the board's own URL."""
    compiled = re.compile(pattern)

    def read(kind: Kind, url: SplitResult) -> Board | None:
        match = compiled.match(url.path)
        if not match or not all(_BOARD_NAME.fullmatch(group or "") for group in match.groups()):
            return None
        return Board(kind, url.scheme, url.netloc.lower(), name="/".join(match.groups()), prefix=prefix)

    return read


def _query_names(parameter: str) -> Callable[[Kind, SplitResult], Board | None]:
    """A reader for boards a query parameter names (`/career?company=acme`): the board's URL is
    `https://{host}{path}?{parameter}={name}`."""

    def read(kind: Kind, url: SplitResult) -> Board | None:
        name = parse_qs(url.query).get(parameter, [""])[0]
        if not _BOARD_NAME.fullmatch(name):
            return None
        return Board(kind, url.scheme, url.netloc.lower(), name=f"{url.path.strip('/')}?{parameter}={name}")

    return read


def _phenom(kind: Kind, url: SplitResult) -> Board:
    """A Phenom site: its host, and the country and language its pages are under (`/us/en/...`)."""
    localised = re.match(r"/([a-z]{2}|global)/([a-z]{2})(/|$)", url.path)
    return Board(kind, url.scheme, url.netloc.lower(), prefix="/".join(localised.groups()[:2]) if localised else "")


def _avature(kind: Kind, url: SplitResult) -> Board:
    """An Avature portal: its host and the path it lives under (`careers`, `en_US/careers`)."""
    portal = re.match(r"/((?:[a-z]{2}_[A-Z]{2}/)?(?!SearchJobs|JobDetail)[A-Za-z0-9]+)(?:/|$)", url.path)
    return Board(kind, url.scheme, url.netloc.lower(), name=portal.group(1) if portal else "careers")


def _company_site(kind: Kind, url: SplitResult) -> Board:
    """Recruitee, Personio: the host is the company's career site; a path names a posting at most."""
    return Board(kind, url.scheme, url.netloc.lower())


def _named(
    kind: Kind, url: SplitResult, name: str, tenant: str | None = None, locale: str | None = None,
    board_host: str | None = None,
) -> Board | None:
    """The board called `name` (on `board_host`, for a URL of the ATS's API); None when `name`
    is empty, an embed or API path, or not a name at all."""
    if not _BOARD_NAME.fullmatch(name) or name.lower() in _NOT_BOARD_NAMES:
        return None
    host = url.netloc.lower()
    # Greenhouse and Lever serve EU boards on `.eu.` hosts (and API hosts); no other ATS has one.
    eu = ".eu." in host
    if board_host:
        host = board_host.replace("{eu}", ".eu" if eu else "")
    return Board(kind, "https" if board_host else url.scheme, host, name=name, tenant=tenant, locale=locale, eu=eu)


def _path_segments(url: SplitResult) -> list[str]:
    return [segment for segment in url.path.split("/") if segment]


def _first_segment(url: SplitResult) -> str:
    return next(iter(_path_segments(url)), "")


# Where a board named in an API URL is shown to people: its canonical URL names this host.
BOARD_HOSTS: dict[str, str] = {
    "greenhouse": "job-boards{eu}.greenhouse.io",
    "lever": "jobs{eu}.lever.co",
    "ashby": "jobs.ashbyhq.com",
    "workable": "apply.workable.com",
    "smartrecruiters": "jobs.smartrecruiters.com",
    "welcometothejungle": "www.welcometothejungle.com",
}

BOARD_SHAPES: dict[Kind, tuple[BoardShape, ...]] = {
    "greenhouse": (
        BoardShape(re.compile(r"(boards|job-boards)(\.eu)?\.greenhouse\.io"), _greenhouse),
        # The Job Board API as users paste it: `boards-api.greenhouse.io/v1/boards/{token}/jobs`.
        BoardShape(re.compile(r"(boards-)?api(\.eu)?\.greenhouse\.io"), _in_api_path(r"/v1/boards/([^/]+)")),
    ),
    "lever": (
        BoardShape(re.compile(r"jobs(\.eu)?\.lever\.co"), _named_in_path),
        BoardShape(re.compile(r"api(\.eu)?\.lever\.co"), _in_api_path(r"/v0/postings/([^/]+)")),
    ),
    "ashby": (
        BoardShape(re.compile(r"jobs\.ashbyhq\.com"), _named_in_path),
        BoardShape(re.compile(r"api\.ashbyhq\.com"), _in_api_path(r"/posting-api/job-board/([^/]+)")),
    ),
    "workable": (
        BoardShape(re.compile(r"apply\.workable\.com"), _workable),
        # `apply.workable.com/api/v1/accounts/{account}/jobs` (v3 too), `www.workable.com/api/accounts/{account}`.
        BoardShape(re.compile(r"(www\.|apply\.)?workable\.com"), _in_api_path(r"/api/(?:v\d+/)?accounts/([^/]+)")),
    ),
    "smartrecruiters": (
        BoardShape(re.compile(r"(careers|jobs)\.smartrecruiters\.com"), _named_in_path),
        BoardShape(re.compile(r"api\.smartrecruiters\.com"), _in_api_path(r"/v1/companies/([^/]+)")),
    ),
    "recruitee": (BoardShape(re.compile(r"[a-z0-9-]+\.recruitee\.com"), _company_site, on_own_domains=True),),
    "personio": (
        BoardShape(re.compile(r"[a-z0-9-]+\.jobs\.personio\.(de|com)"), _company_site, on_own_domains=True),
    ),
    "teamtailor": (
        BoardShape(re.compile(r"[a-z0-9-]+(\.[a-z]{2})?\.teamtailor\.com"), _teamtailor, on_own_domains=True),
    ),
    "workday": (
        # `{tenant}.wdN.myworkdayjobs.com/[locale/]{site}`, and its API `/wday/cxs/{tenant}/{site}/jobs`.
        BoardShape(re.compile(r"[a-z0-9-]+\.wd\d+\.myworkdayjobs\.com"), _workday),
        BoardShape(re.compile(r"wd\d+\.myworkdaysite\.com"), _workday_site),
    ),
    "join": (BoardShape(re.compile(r"join\.com"), _in_path(r"/companies/([^/]+)", prefix="companies")),),
    "successfactors": (
        # Classic career pages name the company in the query: `career4.successfactors.com/career?company=acme`.
        BoardShape(re.compile(r"career\d*\.(successfactors|sapsf)\.(com|eu|cn)"), _query_names("company")),
        # Career Site Builder sites are on the company's own domain (recognised by their assets).
        BoardShape(re.compile(r"[a-z0-9-]+\.jobs\.hr\.cloud\.sap"), _company_site, on_own_domains=True),
    ),
    "pinpoint": (BoardShape(re.compile(r"[a-z0-9-]+\.pinpointhq\.com"), _tenant_host("app"), on_own_domains=True),),
    "oracle": (
        BoardShape(re.compile(r"[a-z0-9-]+\.fa(\.[a-z0-9-]+)?\.oraclecloud\.com"),
                   _in_path(r"/hcmUI/CandidateExperience/[a-zA-Z-]+/sites/([^/]+)", prefix="hcmUI/CandidateExperience/en/sites")),
    ),
    "eightfold": (BoardShape(re.compile(r"[a-z0-9-]+\.eightfold\.ai"), _tenant_host("app"), on_own_domains=True),),
    "jobylon": (
        BoardShape(re.compile(r"(emp\.)?jobylon\.com"), _in_path(r"/(?:[a-z]{2}/)?(?:companies|careers)/([^/]+)")),
        BoardShape(re.compile(r"cdn\.jobylon\.com"), _in_path(r"/jobs/companies/(\d+)", prefix="jobs/companies")),  # the job widget
        BoardShape(re.compile(r"feed\.jobylon\.com"), _in_path(r"/feeds/([0-9A-Za-z]+)", prefix="feeds")),  # a company's feed
    ),
    "gem": (BoardShape(re.compile(r"jobs\.gem\.com"), _named_in_path),),
    "icims": (BoardShape(re.compile(r"[a-z0-9-]+\.icims\.com"), _tenant_host("www", "jobs"), on_own_domains=True),),
    # `ats.rippling.com/[en-US/]{board}/jobs`: a locale may come first.
    "rippling": (BoardShape(re.compile(r"ats\.rippling\.com"), _in_path(r"/(?:[a-z]{2}-[A-Z]{2}/)?(?!api/)([^/]+)")),),
    "gupy": (BoardShape(re.compile(r"[a-z0-9-]+\.gupy\.io"), _tenant_host("portal", "employability-portal")),),
    "softgarden": (
        BoardShape(re.compile(r"[a-z0-9-]+\.(career\.softgarden\.de|softgarden\.io)"), _tenant_host("api", "app"),
                   on_own_domains=True),
    ),
    "breezy": (BoardShape(re.compile(r"[a-z0-9-]+\.breezy\.hr"), _tenant_host("app", "assets-cdn", "marketing")),),
    "comeet": (
        BoardShape(re.compile(r"(www\.)?comeet\.(com|co)"), _in_path(r"/jobs/([^/]+)/([0-9A-Fa-f]{2}\.[0-9A-Fa-f]{3})", prefix="jobs")),
    ),
    "bamboohr": (BoardShape(re.compile(r"[a-z0-9-]+\.bamboohr\.com"), _tenant_host("app", "api")),),
    "hibob": (BoardShape(re.compile(r"[a-z0-9-]+\.careers\.hibob\.com"), _tenant_host()),),
    "ukg": (
        BoardShape(re.compile(r"recruiting\d?\.ultipro\.(com|ca)|[a-z0-9-]+\.rec\.pro\.ukg\.net"),
                   _in_path(r"/([^/]+)/(JobBoard)/([0-9a-fA-F-]{36})")),
    ),
    "dvinci": (
        BoardShape(re.compile(r"[a-z0-9-]+\.(dvinci-hr\.com|dvinci\.de|dvinci-easy\.com)"), _tenant_host(), on_own_domains=True),
    ),
    "homerun": (
        BoardShape(re.compile(r"[a-z0-9-]+\.homerun\.co"), _tenant_host("app", "feed", "api")),
        BoardShape(re.compile(r"feed\.homerun\.co"), _named_in_path),
    ),
    "taleo": (
        BoardShape(re.compile(r"[a-z0-9-]+\.taleo\.net"), _in_path(r"/careersection/(?!rest/)([^/]+)/", prefix="careersection")),
    ),
    "welcometothejungle": (
        # `/{lang}/companies/{slug}/jobs[/{job}]`, and the REST API `/api/v1/organizations/{slug}[/jobs/{job}]`.
        BoardShape(re.compile(r"(www\.)?welcometothejungle\.com"),
                   _in_path(r"/(?:[a-z]{2}(?:-[A-Za-z]{2})?/)?companies/([^/]+)", prefix="en/companies")),
        BoardShape(re.compile(r"api\.welcometothejungle\.com"),
                   _in_api_path(r"/api/v1/organizations/([^/]+)", prefix="en/companies")),
    ),
    "factorial": (
        BoardShape(re.compile(r"[a-z0-9-]+\.(factorialhr\.com|factorial\.(es|fr|it|de|pt|co\.uk))"),
                   _tenant_host("app", "api", "help", "blog", "careers-api"), on_own_domains=True),
    ),
    "umantis": (BoardShape(re.compile(r"recruitingapp-\d+(\.[a-z]{2})?\.umantis\.com"), _tenant_host()),),
    "cornerstone": (
        BoardShape(re.compile(r"[a-z0-9-]+\.csod\.com"), _in_path(r"/ux/ats/careersite/(\d+)", prefix="ux/ats/careersite")),
    ),
    # `jobs.dayforcehcm.com/[{lang}/]{namespace}/{board}[/jobs/{id}]`, and the search API `/api/geo/{namespace}/...`.
    "dayforce": (
        BoardShape(re.compile(r"jobs\.dayforcehcm\.com"),
                   _in_path(r"/(?:[a-z]{2}-[A-Za-z]{2}/)?(?!api/|[a-z]{2}-[A-Z]{2}(?:/|$))([^/]+)/([^/]+)")),
    ),
    "avature": (BoardShape(re.compile(r"(?!www\.)[a-z0-9-]+\.avature\.net"), _avature, on_own_domains=True),),
    # `recruiting.paylocity.com/Recruiting/Jobs/All/{guid}[/{Company-Name}]`, older boards `/Jobs/List/{number}`.
    "paylocity": (
        BoardShape(re.compile(r"recruiting\.paylocity\.com"), _in_path(r"(?i)/(?:recruiting/)?jobs/(all|list)/([^/]+)", prefix="Recruiting/Jobs")),
    ),
    # Phenom sites are on the company's own domain (recognised by their page); a few on Phenom's hosts.
    "phenom": (
        BoardShape(re.compile(r"(?!(cdn|content-[a-z]+|assets|www|api)\.)[a-z0-9-]+\.phenompeople\.com"), _phenom, on_own_domains=True),
    ),
}


def detect_kind(url: str) -> Kind:
    """The ATS family a careers URL belongs to, by its host, or `careers_site` for any other site."""
    host = urlsplit(url).hostname or ""
    return next(
        (kind for kind, shapes in BOARD_SHAPES.items() for shape in shapes if shape.hosts.fullmatch(host)),
        "careers_site",
    )


def board_from_url(url: str, kind: Kind | None = None) -> Board | None:
    """The board a link into an ATS names - a board, one of its postings, an embed script or
    iframe - or None when it names none.

    Without `kind` the URL's host tells the ATS. With it, the URL is read as that ATS's, and a
    Recruitee, Personio or Teamtailor career site may be on any host (the company's own domain)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    kind = kind or detect_kind(url)
    shapes = BOARD_SHAPES.get(kind, ())  # careers sites have none
    on_host = [shape for shape in shapes if shape.hosts.fullmatch(parts.hostname)]
    candidates = on_host or [shape for shape in shapes if shape.on_own_domains]
    return next(filter(None, (shape.read(kind, parts) for shape in candidates)), None)


def board_url(url: str) -> tuple[Kind, str] | None:
    """(kind, the board's canonical URL) for a link into an ATS, or None when it names no board."""
    board = board_from_url(url)
    return (board.kind, board.url) if board else None


# -- the sources file ----------------------------------------------------------------------------


class Source(BaseModel):
    """One entry of the sources file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url: str
    kind: Kind | None = None
    endpoint: str | None = None
    company: str | None = None
    recipe: Recipe | None = None  # careers sites nothing generic reads: see crawler/recipe.py
    render: StrictBool | None = None  # careers sites: in Chromium (true), never (false), or as decided (absent)

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, name: str) -> str:
        if not re.fullmatch(r"[a-z0-9._-]+", name):
            raise ValueError("name must match [a-z0-9._-]+")
        return name

    @field_validator("url", "endpoint")
    @classmethod
    def _is_http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    @model_validator(mode="after")
    def _fill_in_kind(self) -> Source:
        if self.kind is None:
            object.__setattr__(self, "kind", detect_kind(self.url))
        if self.recipe is not None and self.kind != "careers_site":
            raise ValueError(f"a recipe is for careers sites; this is a {self.kind} board, read through its API")
        if self.render is not None and self.kind != "careers_site":
            raise ValueError(f"render is for careers sites; this is a {self.kind} board, read through its API")
        return self

    @property
    def hosts(self) -> set[str]:
        """The hosts (with port) this source may be crawled on."""
        hosts = {urlsplit(self.url).netloc.lower()}
        if self.endpoint:
            hosts.add(urlsplit(self.endpoint).netloc.lower())
        return hosts


def parse_sources(data: object, origin: str = "sources") -> list[Source]:
    """Validate already-parsed YAML; raise SourcesError naming the first bad entry."""
    if not isinstance(data, dict) or set(data) != {"sources"}:
        raise SourcesError(f"{origin}: expected a mapping with one key, 'sources'")
    entries = data["sources"]
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{origin}: 'sources' must be a non-empty list")

    sources: list[Source] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        label = f"entry {number}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" ({entry['name']})"
        if not isinstance(entry, dict):
            raise SourcesError(f"{origin}: {label}: expected a mapping with name and url")
        try:
            source = Source.model_validate(entry)
        except ValidationError as error:
            raise SourcesError(f"{origin}: {label}: {_describe(error)}") from None
        if source.name in seen:
            raise SourcesError(f"{origin}: {label}: duplicate name {source.name!r}")
        seen.add(source.name)
        sources.append(source)
    return sources


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SourcesError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        # libyaml's loader, where PyYAML was built with it, reads a census-sized file (thousands
        # of sources) ten times faster than the pure-Python one, with the same result.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise SourcesError(f"{path}: not valid YAML: {error}") from None
    return parse_sources(data, origin=str(path))


def select_sources(sources: list[Source], only: tuple[str, ...] | list[str]) -> list[Source]:
    """The sources named in `only` (all when empty); unknown names are an error."""
    if not only:
        return sources
    by_name = {source.name: source for source in sources}
    unknown = [name for name in only if name not in by_name]
    if unknown:
        raise SourcesError(f"unknown source name(s): {', '.join(unknown)}")
    return [by_name[name] for name in only]


def _describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors():
        where = ".".join(str(part) for part in detail["loc"]) or "entry"
        message = detail["msg"]
        if detail["type"] == "extra_forbidden":
            message = "unknown key"
        elif detail["type"] == "literal_error":
            message = f"unknown kind {detail.get('input')!r}"
        problems.append(f"{where}: {message.removeprefix('Value error, ')}")
    return "; ".join(problems)
