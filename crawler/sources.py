"""The sources file: load it, validate every entry, and tell which ATS a careers URL belongs to.

A bad file is refused as a whole, before any request is made, with a message naming the entry
and the problem (the CLI turns `SourcesError` into exit status 2).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    field_validator,
    model_validator,
)

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
]

# Host (and path) shapes of the public job boards; the first match wins.
ATS_URL_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    ("greenhouse", re.compile(r"^(boards|job-boards)(\.eu)?\.greenhouse\.io$")),
    ("lever", re.compile(r"^jobs(\.eu)?\.lever\.co$")),
    ("ashby", re.compile(r"^jobs\.ashbyhq\.com$")),
    ("workable", re.compile(r"^apply\.workable\.com$")),
    ("smartrecruiters", re.compile(r"^(careers|jobs)\.smartrecruiters\.com$")),
    ("recruitee", re.compile(r"^[a-z0-9-]+\.recruitee\.com$")),
    ("personio", re.compile(r"^[a-z0-9-]+\.jobs\.personio\.(de|com)$")),
    ("teamtailor", re.compile(r"^[a-z0-9-]+(\.[a-z]{2})?\.teamtailor\.com$")),
    ("workday", re.compile(r"^[a-z0-9-]+\.wd\d+\.myworkdayjobs\.com$")),
]


# Path segments that are not a board's name: embeds, locales, API prefixes.
_NOT_A_BOARD = re.compile(r"^(embed|api|v\d+|jobs|job|job_board|[a-z]{2}(-[a-z]{2})?)$", re.IGNORECASE)


class SourcesError(ValueError):
    """The sources file cannot be used; the message says where and why."""


def detect_kind(url: str) -> Kind:
    """The ATS family a careers URL belongs to, or `careers_site` for any other site."""
    host = (urlsplit(url).hostname or "").lower()
    for kind, pattern in ATS_URL_PATTERNS:
        if pattern.match(host):
            return kind
    return "careers_site"


def board_url(url: str) -> tuple[Kind, str] | None:
    """(kind, the board's URL) for a link into an ATS - a board, one of its postings, an embed
    script or iframe - or None when the URL is no ATS board or names none."""
    kind = detect_kind(url)
    if kind == "careers_site":
        return None
    parts = urlsplit(url)
    origin = f"https://{parts.netloc.lower()}"
    segments = [segment for segment in parts.path.split("/") if segment]
    if kind in ("recruitee", "personio", "teamtailor"):
        return kind, origin  # the company is the host name
    if kind == "greenhouse":
        token = parse_qs(parts.query).get("for", [None])[0]
        token = token or next((s for s in segments if not _NOT_A_BOARD.match(s)), None)
        return (kind, f"{origin}/{token}") if token else None
    if kind == "workday":
        site = next((s for s in segments if not _NOT_A_BOARD.match(s)), None)
        return (kind, f"{origin}/{site}") if site else None
    name = segments[0] if segments else None  # lever, ashby, workable, smartrecruiters
    return (kind, f"{origin}/{name}") if name and name.lower() not in ("embed", "api") else None


class Source(BaseModel):
    """One entry of the sources file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url: str
    kind: Kind | None = None
    endpoint: str | None = None
    company: str | None = None

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
    def _fill_in_kind(self) -> "Source":
        if self.kind is None:
            object.__setattr__(self, "kind", detect_kind(self.url))
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
        data = yaml.safe_load(text)
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
