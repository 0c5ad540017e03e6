"""The store's read side: the questions the CLI (and the tests) ask, apart from the write path.

Every question takes the same `Filters`: only some companies or sources, a workplace, an
employment type, and `at`, a past date: what was open then rather than now.

Counts count jobs, not rows: the same job published on several sources is one cluster
(pipelines.clusters), counted once; `count_rows` counts every row instead. The plain questions
(no filter) read the counts the store keeps as it writes (pipelines.counts); the others count.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from itertools import accumulate
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

# What a filtered question reads: an open posting in one of its countries.
_OPEN_JOBS_IN_COUNTRIES = """
FROM jobs
JOIN job_locations ON job_locations.job_id = jobs.id
LEFT JOIN countries ON countries.code = job_locations.country_code
WHERE jobs.language IS NOT NULL AND job_locations.country_code IS NOT NULL
"""


@dataclass(frozen=True)
class Filters:
    """Which postings a question is about. Empty: every open posting, now."""

    companies: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    workplace: str | None = None  # onsite | hybrid | remote
    employment_type: str | None = None  # FULL_TIME, PART_TIME, ...
    at: str | None = None  # YYYY-MM-DD: open at the end of that day

    def __bool__(self) -> bool:
        return bool(self.companies or self.sources or self.workplace or self.employment_type or self.at)

    def where(self, open_only: bool = True) -> tuple[str, list[Any]]:
        """SQL conditions on `jobs` (` AND ...`) and their parameters; with `open_only` false,
        closed postings are selected too (unless `at` asks what was open on a day)."""
        sql, params = [], []
        if self.at:
            # Open then: first seen by the end of that day, and not closed by then. (A posting
            # closed and reopened around that day counts as open: the store keeps the last closure.)
            # Every row is open or closed: saying so lets SQLite read the postings of one language
            # from the (status, language, ...) index instead of every location of every posting
            # (countries --at on 200,000 postings: 3.8 s -> 0.4 s).
            end = end_of_day(self.at)
            sql.append("jobs.status IN ('open', 'closed') AND jobs.first_seen_at <= ? AND (jobs.closed_at IS NULL OR jobs.closed_at > ?)")
            params += [end, end]
        elif open_only:
            sql.append("jobs.status = 'open'")
        for column, values in (("company", self.companies), ("source", self.sources)):
            if values:  # names as people type them: case does not matter
                sql.append(f"lower(jobs.{column}) IN ({', '.join('?' * len(values))})")
                params += [value.lower() for value in values]
        if self.workplace:
            sql.append("jobs.workplace = ?")
            params.append(self.workplace)
        if self.employment_type:
            sql.append("jobs.employment_type = ?")
            params.append(self.employment_type)
        return "".join(f" AND {condition}" for condition in sql), params


def end_of_day(day: str) -> str:
    """The last instant of `day` (YYYY-MM-DD) as the store writes instants: what was seen by then."""
    return f"{day}T23:59:59+00:00"


def _counted(count_rows: bool) -> str:
    """What a count counts: clusters (a job published twice once), or rows."""
    return "COUNT(DISTINCT jobs.id)" if count_rows else "COUNT(DISTINCT jobs.cluster_id)"


def countries_for_language(
    db: sqlite3.Connection, language: str, filters: Filters = Filters(), count_rows: bool = False
) -> list[dict[str, Any]]:
    """Countries with open postings in `language`, with counts, most first."""
    if not filters and not count_rows:  # the plain question, answered by the view and its covering index
        sql = "SELECT country_code, country, jobs FROM country_languages WHERE language = ? ORDER BY jobs DESC, country_code"
        return _rows(db, sql, [language])
    where, params = filters.where()
    sql = (
        f"SELECT job_locations.country_code AS country_code, countries.name AS country, {_counted(count_rows)} AS jobs"
        f" {_OPEN_JOBS_IN_COUNTRIES} AND jobs.language = ?{where}"
        " GROUP BY job_locations.country_code ORDER BY jobs DESC, country_code"
    )
    return _rows(db, sql, [language, *params])


def languages_for_country(
    db: sqlite3.Connection, country: str | None = None, filters: Filters = Filters(), count_rows: bool = False
) -> list[dict[str, Any]]:
    """Languages with open postings (in one country, or anywhere), with counts, most first."""
    if not filters and not count_rows:  # the plain question, answered by the counts the store keeps
        counted, params = ("language_country_counts", [country]) if country else ("language_counts", [])
        sql = (
            f"SELECT counts.language AS language_code, languages.name AS language, counts.jobs AS jobs FROM {counted} AS counts"
            " LEFT JOIN languages ON languages.code = counts.language"
            f" WHERE counts.jobs > 0{' AND counts.country_code = ?' if country else ''} ORDER BY jobs DESC, language_code"
        )
        return _rows(db, sql, params)
    where, params = filters.where()
    if country:
        sql = (
            f"SELECT jobs.language AS language_code, languages.name AS language, {_counted(count_rows)} AS jobs"
            f" {_OPEN_JOBS_IN_COUNTRIES} AND job_locations.country_code = ?{where}"
            " GROUP BY jobs.language ORDER BY jobs DESC, language_code"
        )
        sql = sql.replace("WHERE", "LEFT JOIN languages ON languages.code = jobs.language WHERE", 1)
        return _rows(db, sql, [country, *params])
    sql = (
        f"SELECT jobs.language AS language_code, languages.name AS language, {_counted(count_rows)} AS jobs"
        " FROM jobs LEFT JOIN languages ON languages.code = jobs.language"
        f" WHERE jobs.language IS NOT NULL{where}"
        " GROUP BY jobs.language ORDER BY jobs DESC, language_code"
    )
    return _rows(db, sql, params)


# -- trend -------------------------------------------------------------------------------------

Period = Literal["day", "week", "month"]


def period_ends(since: date, until: date, by: Period) -> list[date]:
    """The last day of each period from `since` to `until` (the last one cut at `until`)."""
    ends: list[date] = []
    day = since
    while day <= until:
        if by == "day":
            end = day
        elif by == "week":  # weeks end on Sunday
            end = day + timedelta(days=6 - day.weekday())
        else:
            next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            end = next_month - timedelta(days=1)
        ends.append(min(end, until))
        day = end + timedelta(days=1)
    return ends


def trend(
    db: sqlite3.Connection, language: str, since: date, until: date, by: Period = "week",
    country: str | None = None, filters: Filters = Filters(), count_rows: bool = False,
) -> list[dict[str, Any]]:
    """Open postings in `language` at the end of each period, per country (or in one country):
    rows of period (its last day), country_code, jobs; each period's rows as `countries_for_language`
    with `at` that day gives them.

    One read of the language's postings, not one question per period: each (country, job) is
    open over a range of periods, from the first whose end it was seen by to the first whose end
    it was closed by; a job's rows' ranges are merged so that it counts once, and the counts per
    period are the running sum of where ranges start and stop (12 months on 1.1 million postings:
    3.9 s as twelve questions)."""
    ends = period_ends(since, until, by)
    if not ends:
        return []
    stamps = [end_of_day(end.isoformat()) for end in ends]
    where, params = replace(filters, at=None).where(open_only=False)
    if country is not None:
        where, params = f" AND job_locations.country_code = ?{where}", [country, *params]
    job = "jobs.id" if count_rows else "jobs.cluster_id"
    sql = (
        f"SELECT job_locations.country_code, {job}, jobs.first_seen_at, jobs.closed_at {_OPEN_JOBS_IN_COUNTRIES}"
        f" AND jobs.language = ? AND jobs.status IN ('open', 'closed') AND jobs.first_seen_at <= ?{where}"
    )
    ranges: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for country_code, job_id, seen, closed in db.execute(sql, [language, stamps[-1], *params]):
        start = bisect_left(stamps, seen)
        stop = len(stamps) if closed is None else bisect_left(stamps, closed)
        if start < stop:
            ranges[(country_code, job_id)].append((start, stop))
    changes: dict[str, list[int]] = defaultdict(lambda: [0] * (len(stamps) + 1))
    for (country_code, _), spans in ranges.items():
        for start, stop in _merged(spans):
            changes[country_code][start] += 1
            changes[country_code][stop] -= 1
    open_jobs = {country_code: list(accumulate(steps[:-1])) for country_code, steps in changes.items()}
    rows = []
    for number, end in enumerate(ends):
        counted = sorted(((-jobs[number], code) for code, jobs in open_jobs.items() if jobs[number]))
        rows += [{"period": end.isoformat(), "country_code": code, "jobs": -negative} for negative, code in counted]
    return rows


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges of periods, those that overlap or touch joined."""
    if len(spans) == 1:
        return spans
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def first_seen(db: sqlite3.Connection) -> date | None:
    """The day the store first saw a posting."""
    value = db.execute("SELECT MIN(first_seen_at) FROM jobs").fetchone()[0]
    return date.fromisoformat(value[:10]) if value else None


# -- export ------------------------------------------------------------------------------------

# The columns of an export, in order: the posting, then its places joined by " | ".
EXPORT_COLUMNS = [
    "id", "source", "ats", "company", "title", "language", "language_method", "url", "apply_url", "department",
    "employment_type", "workplace", "salary_min", "salary_max", "salary_currency", "salary_period",
    "date_posted", "valid_through", "first_seen_at", "last_seen_at", "closed_at", "status", "translation_group",
    "cluster_id", "countries", "cities", "locations", "description",
]
# Export column → the job_locations column it lists.
_PLACE_LISTS = {"countries": "country_code", "cities": "city", "locations": "raw"}
ExportFormat = Literal["csv", "jsonl", "parquet"]
_BATCH = 5000


def export_rows(db: sqlite3.Connection, filters: Filters = Filters(), open_only: bool = True) -> Iterator[dict[str, Any]]:
    """Every posting the filters select (closed ones too, unless `open_only`), with its places,
    one at a time: memory stays flat in the number of rows."""
    where, params = filters.where(open_only)
    own = [column for column in EXPORT_COLUMNS if column not in _PLACE_LISTS]
    # A scalar subquery gives one value: each list of places is a subquery of its own.
    places = [
        f"(SELECT group_concat({column}, ' | ') FROM (SELECT {column} FROM job_locations"
        f" WHERE job_id = jobs.id ORDER BY position)) AS {name}"
        for name, column in _PLACE_LISTS.items()
    ]
    sql = f"SELECT {', '.join([f'jobs.{column}' for column in own] + places)} FROM jobs WHERE 1 = 1{where} ORDER BY jobs.id"
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    while batch := cursor.fetchmany(_BATCH):
        for values in batch:
            row = dict(zip(names, values))
            yield {column: row[column] for column in EXPORT_COLUMNS}


def export(db: sqlite3.Connection, path: str | Path, output_format: ExportFormat, filters: Filters = Filters(),
           open_only: bool = True) -> int:
    """Write the selected postings to `path` as CSV, JSON lines or Parquet; returns how many."""
    rows = export_rows(db, filters, open_only)
    count = 0
    if output_format == "parquet":
        import pyarrow as pa  # only for Parquet: a large import
        import pyarrow.parquet as pq

        numeric = {"salary_min", "salary_max"}
        schema = pa.schema([(column, pa.float64() if column in numeric else pa.string()) for column in EXPORT_COLUMNS])
        with pq.ParquetWriter(str(path), schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == _BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    count, batch = count + len(batch), []
            if batch or not count:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
        return count
    with open(path, "w", encoding="utf-8", newline="") as file:
        if output_format == "csv":
            writer = csv.DictWriter(file, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
                count += 1
        else:
            for row in rows:
                file.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    return count


def _rows(db: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values)) for values in cursor]
