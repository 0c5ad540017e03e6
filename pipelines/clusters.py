"""One job published twice, counted once: duplicates across sources linked into clusters.

A company often publishes a job on its careers page (JSON-LD) and on its ATS board, or on two
boards; crawled as two sources, that is two `jobs` rows. Rows of different sources are the same
job when, in the same language,
- they share an address or an id: a posting URL or apply URL, or the company's job id
  (`external_id`); or
- the same company publishes the same title for the same places, and they were open at the same
  time (a job reposted a year later is another opening).

Each posting gets its keys when it is written (`posting_keys`, one row per key); `link`, run once
at the end of a crawl, reads only the keys more than one source shares, so it costs little when
there are few duplicates. A cluster's rows point at its canonical row through `jobs.cluster_id`
(a posting alone points at itself), and counts count distinct `cluster_id`s.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Key kinds: an address, a company's job id, a title in places.
ADDRESS, JOB_ID, TITLE = "u", "i", "t"

# Legal forms are dropped from company names: "Nordwerk GmbH" on the careers page is "Nordwerk"
# on its board.
_LEGAL_FORMS = re.compile(
    r"\b(inc|incorporated|ltd|limited|llc|llp|plc|corp|corporation|co|company|gmbh|ag|kg|se|sa|sas|sarl|srl|spa|"
    r"bv|nv|ab|as|asa|oy|oyj|aps|sp z o o|s a|s l|sl|kk|pty|pte)\b"
)
# Gender notes German and French titles carry ("(m/w/d)", "(H/F)", "(all genders)"): one board
# writes them, the other may not.
_GENDER = r"(?:[mwfdxhin]|div(?:ers|erse)?)"
_GENDER_NOTE = re.compile(rf"[(\[]\s*(?:all genders?|{_GENDER}(?:\s*[/|,*]\s*{_GENDER}){{1,3}})\s*[)\]]")
_NOT_WORD = re.compile(r"[^\w]+")
# Query parameters that only say where a visitor came from.
_TRACKING = re.compile(r"^(utm_\w+|gh_src|src|source|ref|referrer|lever-origin|lever-source.*)$", re.IGNORECASE)
# A job's apply page is the job: `.../jobs/123/apply` and `.../jobs/123` are one key.
_APPLY_SUFFIX = re.compile(r"/(apply|application)/?$", re.IGNORECASE)


def _words(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def company_name(company: str | None) -> str:
    """A company's name as compared: case, punctuation and legal form left out."""
    return " ".join(_LEGAL_FORMS.sub(" ", _words(company or "")).split())


def job_title(title: str | None) -> str:
    """A title as compared: case, punctuation and gender notes left out (seniority stays)."""
    return _words(_GENDER_NOTE.sub(" ", unicodedata.normalize("NFKC", title or "").casefold()))


def address(url: str | None) -> str | None:
    """A posting or apply URL as compared: scheme, `www.`, fragment, tracking parameters and a
    trailing /apply left out."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return None
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((name, value) for name, value in parse_qsl(parts.query) if not _TRACKING.match(name)))
    path = _APPLY_SUFFIX.sub("", parts.path).rstrip("/")
    return urlunsplit(("", host, path, query, ""))


def places(locations: Iterable[Mapping[str, Any]]) -> str:
    """Where a posting is offered, as compared: its countries and cities, in any order."""
    return ";".join(sorted({f"{place.get('country_code') or ''}/{_words(place.get('city') or '')}" for place in locations}))


def _hashed(kind: str, *parts: str) -> str:
    return kind + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def posting_keys(row: Mapping[str, Any], locations: Iterable[Mapping[str, Any]]) -> set[str]:
    """The keys a `jobs` row (with its `job_locations` rows) shares with its duplicates."""
    language = row.get("language") or ""
    keys = {_hashed(ADDRESS, language, url) for url in (address(row.get("url")), address(row.get("apply_url"))) if url}
    company = company_name(row.get("company"))
    if company and row.get("external_id"):
        keys.add(_hashed(JOB_ID, language, company, str(row["external_id"]).strip().casefold()))
    title = job_title(row.get("title"))
    if company and title:
        keys.add(_hashed(TITLE, language, company, title, places(locations)))
    return keys


# -- linking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """What a `link` found: clusters of two rows or more, the rows in them, rows re-pointed."""

    clusters: int
    postings: int
    changed: int


@dataclass(frozen=True)
class _Posting:
    id: str
    source: str
    opened: str
    closed: str  # "~" while open: after every date
    rank: tuple[Any, ...]  # the lowest is the cluster's canonical row


class _Groups:
    """Union-find over posting ids."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: str, second: str) -> None:
        self.parent[self.find(first)] = self.find(second)


def _same_title(group: list[_Posting], groups: _Groups) -> None:
    """Rows sharing a title key: each joins the first earlier row's cluster from another source
    (no source twice in one) that was open at the same time; two openings of one title on a
    board stay two jobs."""
    clusters: list[tuple[set[str], str, str, _Posting]] = []  # sources, opened, closed, first row
    for posting in sorted(group, key=lambda p: (p.opened, p.id)):
        for index, (sources, opened, closed, first) in enumerate(clusters):
            if posting.source not in sources and posting.opened <= closed and opened <= posting.closed:
                groups.union(posting.id, first.id)
                clusters[index] = (sources | {posting.source}, opened, max(closed, posting.closed), first)
                break
        else:
            clusters.append(({posting.source}, posting.opened, posting.closed, posting))


def _shared_id(group: list[_Posting], groups: _Groups) -> None:
    """Rows sharing an address or a job id: one job, unless a source gives it to several of its
    own rows (a generic apply page, a listing page carrying every posting), which makes it no id."""
    sources = [posting.source for posting in group]
    if len(set(sources)) == len(sources):
        for posting in group[1:]:
            groups.union(posting.id, group[0].id)


def link(db: sqlite3.Connection) -> Linked:
    """Link duplicate rows into clusters and point each row's `cluster_id` at its cluster's
    canonical row (open before closed, an ATS row before a careers page, then the first seen).
    Call inside a write transaction."""
    shared = db.execute(
        "SELECT posting_keys.key, jobs.id, jobs.source, jobs.first_seen_at, jobs.status, jobs.closed_at, jobs.ats"
        " FROM posting_keys JOIN jobs ON jobs.id = posting_keys.job_id"
        " WHERE posting_keys.key IN (SELECT key FROM posting_keys GROUP BY key HAVING COUNT(DISTINCT source) > 1)"
        " ORDER BY posting_keys.key"
    )
    groups = _Groups()
    postings: dict[str, _Posting] = {}
    for key, rows in groupby(shared, key=lambda row: row[0]):
        group = []
        for _, job_id, source, first_seen, status, closed_at, ats in rows:
            is_open = status == "open"
            posting = postings.setdefault(job_id, _Posting(
                job_id, source, first_seen or "", "~" if is_open else closed_at or first_seen or "",
                (not is_open, ats == "careers_site", first_seen or "", job_id),
            ))
            group.append(posting)
        (_same_title if key.startswith(TITLE) else _shared_id)(group, groups)

    members: dict[str, list[_Posting]] = {}
    for job_id in postings:
        members.setdefault(groups.find(job_id), []).append(postings[job_id])
    wanted = {}
    for rows in members.values():
        if len(rows) > 1:
            canonical = min(rows, key=lambda posting: posting.rank).id
            wanted.update((posting.id, canonical) for posting in rows)
    linked_now = dict(db.execute("SELECT id, cluster_id FROM jobs WHERE cluster_id != id"))
    updates = [(canonical, job_id) for job_id, canonical in wanted.items() if linked_now.get(job_id, job_id) != canonical]
    updates += [(job_id, job_id) for job_id in linked_now if job_id not in wanted]
    db.executemany("UPDATE jobs SET cluster_id = ? WHERE id = ?", updates)
    return Linked(sum(len(rows) > 1 for rows in members.values()), len(wanted), len(updates))
