"""The SQLite store: schema and migrations, batched upserts, crawl runs, and the queries the CLI
and Datasette answer from. `Store` is the plain Python API; `StorePipeline` feeds it from Scrapy.

A posting published in two languages is two `jobs` rows sharing `translation_group`. Rows are
keyed by a stable id (source + the spider's key), so a re-crawl updates rows instead of adding.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import pycountry
import sqlite_utils
from scrapy import signals
from scrapy.crawler import Crawler

from crawler.extract import language_tag
from crawler.items import JobPosting
from crawler.report import EXAMPLES_KEY, MergedStats, error_count, problems_by_kind, record_problem
from pipelines import clusters, counts, queries
from pipelines.clock import utc_now

JOB_COLUMNS: dict[str, type] = {
    "id": str,
    "source": str,
    "ats": str,
    "external_id": str,
    "url": str,
    "apply_url": str,
    "title": str,
    "company": str,
    "department": str,
    "description": str,
    "description_html": str,
    "language": str,
    "language_confidence": float,
    "language_method": str,
    "secondary_language": str,
    "translation_group": str,
    "employment_type": str,
    "workplace": str,
    "countries": str,
    "salary_min": float,
    "salary_max": float,
    "salary_currency": str,
    "salary_period": str,
    "date_posted": str,
    "valid_through": str,
    "first_seen_at": str,
    "last_seen_at": str,
    "closed_at": str,
    "status": str,
    "content_hash": str,
    "cluster_id": str,
}
LOCATION_COLUMNS: dict[str, type] = {
    "job_id": str,
    "position": int,
    "raw": str,
    "city": str,
    "region": str,
    "country_code": str,
    "latitude": float,
    "longitude": float,
    "remote": int,
}
# What a posting says; a change in any of these is an update (first/last seen are not).
CONTENT_COLUMNS = [
    name
    for name in JOB_COLUMNS
    if name not in {
        "id", "first_seen_at", "last_seen_at", "closed_at", "status", "content_hash", "secondary_language", "cluster_id",
        "countries",  # read off the locations, which the hash covers
    }
]
# Kept when a posting is written again: its key, and the cluster the last linking put it in.
_KEPT_ON_UPDATE = {"id", "cluster_id"}

# The country_languages view as migrations 1 and 5 made it (counted from the postings at each
# question); pipelines/counts.py reads it from counts kept as the store writes.
_COUNTRY_LANGUAGES_COUNTED_EACH_TIME = """
SELECT jobs.language AS language,
       job_locations.country_code AS country_code,
       countries.name AS country,
       COUNT(DISTINCT jobs.cluster_id) AS jobs
FROM jobs
JOIN job_locations ON job_locations.job_id = jobs.id
LEFT JOIN countries ON countries.code = job_locations.country_code
WHERE jobs.status = 'open'
  AND jobs.language IS NOT NULL
  AND job_locations.country_code IS NOT NULL
GROUP BY jobs.language, job_locations.country_code
"""


# The write path's two statements, prepared once by sqlite3's statement cache. Every column
# is a plain SQL value (text, number or NULL), so rows need no per-value conversion.
_UPSERT_JOB = (
    f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({', '.join('?' * len(JOB_COLUMNS))}) "
    f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{name} = excluded.{name}' for name in JOB_COLUMNS if name not in _KEPT_ON_UPDATE)}"
)
_INSERT_LOCATION = (
    f"INSERT INTO job_locations ({', '.join(LOCATION_COLUMNS)}) VALUES ({', '.join('?' * len(LOCATION_COLUMNS))})"
)
_INSERT_KEY = "INSERT OR IGNORE INTO posting_keys (key, job_id, source) VALUES (?, ?, ?)"

# Fields whose changes `job_changes` keeps (plus "locations").
TRACKED_FIELDS = [
    "title", "description", "language", "company", "department", "employment_type", "workplace",
    "salary_min", "salary_max", "salary_currency", "salary_period", "valid_through", "apply_url",
]


def stable_id(source: str, key: str) -> str:
    return f"{source}:{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


def _expired(valid_through: str | None, now: str) -> bool:
    """A date-only `valid_through` lasts to the end of that day."""
    if not valid_through:
        return False
    if len(valid_through) == 10:
        return valid_through < now[:10]
    return valid_through[:19] < now[:19]


def _places(locations: list[dict[str, Any]]) -> list[str]:
    return sorted(
        ", ".join(str(part) for part in (loc["city"], loc["region"], loc["country_code"]) if part)
        + (" (remote)" if loc["remote"] else "")
        for loc in locations
    )


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# -- schema ----------------------------------------------------------------------------------


def _create_schema(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {"name": str, "url": str, "kind": str, "endpoint": str, "company": str}, pk="name"
    )
    db["jobs"].create(JOB_COLUMNS, pk="id", not_null={"source", "url", "status"})
    db["job_locations"].create(
        LOCATION_COLUMNS, pk=("job_id", "position"), foreign_keys=[("job_id", "jobs", "id")]
    )
    db["crawl_runs"].create(
        {
            "id": int,
            "source": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "pages": int,
            "postings_seen": int,
            "postings_new": int,
            "postings_updated": int,
            "postings_unchanged": int,
            "errors": int,
            "problems": str,
            "problem_examples": str,
        },
        pk="id",
    )
    db["countries"].create({"code": str, "name": str}, pk="code")
    db["languages"].create({"code": str, "name": str}, pk="code")
    db["countries"].insert_all(
        ({"code": c.alpha_2, "name": getattr(c, "common_name", c.name)} for c in pycountry.countries)
    )
    db["countries"].insert({"code": "XK", "name": "Kosovo"})
    db["languages"].insert_all(
        {"code": lang.alpha_2, "name": lang.name} for lang in pycountry.languages if hasattr(lang, "alpha_2")
    )
    db["jobs"].create_index(["status", "language"])
    db["jobs"].create_index(["source"])
    db["jobs"].create_index(["translation_group"])
    db["job_locations"].create_index(["country_code", "job_id"])
    db["crawl_runs"].create_index(["source", "started_at"])
    db["jobs"].enable_fts(["title", "description"], create_triggers=True)
    db.create_view("country_languages", _COUNTRY_LANGUAGES_COUNTED_EACH_TIME)


def _add_lifecycle(db: sqlite_utils.Database) -> None:
    """Closures, reopenings and what changed: for scheduled, repeated crawls."""
    for column in ("postings_closed", "postings_reopened"):
        db["crawl_runs"].add_column(column, int)
    db["job_changes"].create(
        {"id": int, "job_id": str, "source": str, "changed_at": str, "field": str, "old_value": str, "new_value": str},
        pk="id",
        foreign_keys=[("job_id", "jobs", "id")],
    )
    db["job_changes"].create_index(["changed_at"])
    db["job_changes"].create_index(["job_id"])
    db["jobs"].create_index(["source", "status", "last_seen_at"])


def _add_secondary_language(db: sqlite_utils.Database) -> None:
    """The other language of a bilingual posting. New databases already have it (JOB_COLUMNS)."""
    if "secondary_language" not in db["jobs"].columns_dict:
        db["jobs"].add_column("secondary_language", str)


def _index_text_only_when_it_changes(db: sqlite_utils.Database) -> None:
    """The search index is rewritten when a title or description changes, not on every update:
    a re-crawl moves `last_seen_at` on every posting it sees unchanged, and sqlite-utils'
    trigger re-read each one's whole text into the index (twice: out, then in again)."""
    db.execute("DROP TRIGGER IF EXISTS jobs_au")
    db.execute(
        "CREATE TRIGGER jobs_au AFTER UPDATE OF title, description ON jobs BEGIN"
        " INSERT INTO jobs_fts (jobs_fts, rowid, title, description) VALUES ('delete', old.rowid, old.title, old.description);"
        " INSERT INTO jobs_fts (rowid, title, description) VALUES (new.rowid, new.title, new.description);"
        " END"
    )


def _add_clusters(db: sqlite_utils.Database) -> None:
    """Duplicates across sources (see pipelines.clusters): each posting's keys, its cluster, and
    counts of clusters rather than rows."""
    if "cluster_id" not in db["jobs"].columns_dict:
        db["jobs"].add_column("cluster_id", str)
    db.execute("UPDATE jobs SET cluster_id = id")
    db.execute(
        "CREATE TABLE posting_keys (key TEXT NOT NULL, job_id TEXT NOT NULL REFERENCES jobs(id), source TEXT NOT NULL,"
        " PRIMARY KEY (key, job_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX posting_keys_job_id ON posting_keys (job_id)")
    # Only the rows linked to another: what linking re-reads, and a cluster's other rows.
    db.execute("CREATE INDEX jobs_linked ON jobs (cluster_id) WHERE cluster_id != id")
    # Counting clusters reads cluster_id (and the join, id) from the index, not from each row:
    # `languages` on 200,000 postings took 600 ms without it, 37 ms with it.
    db.execute("DROP INDEX IF EXISTS idx_jobs_status_language")
    db["jobs"].create_index(["status", "language", "cluster_id", "id"])
    key_columns = "id, source, language, url, apply_url, external_id, company, title"
    last_id = ""
    while batch := db.execute(f"SELECT {key_columns} FROM jobs WHERE id > ? ORDER BY id LIMIT 5000", [last_id]).fetchall():
        rows = [dict(zip(key_columns.split(", "), values)) for values in batch]
        places: dict[str, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        for job_id, country_code, city in db.execute(
            "SELECT job_id, country_code, city FROM job_locations WHERE job_id >= ? AND job_id <= ?",
            [rows[0]["id"], rows[-1]["id"]],
        ):
            places[job_id].append({"country_code": country_code, "city": city})
        _write_keys(db.conn, rows, places)
        last_id = rows[-1]["id"]
    db.execute("DROP VIEW country_languages")
    db.create_view("country_languages", _COUNTRY_LANGUAGES_COUNTED_EACH_TIME)
    clusters.link(db.conn)


def _write_keys(db: sqlite3.Connection, rows: list[dict[str, Any]], locations: dict[str, list[dict[str, Any]]]) -> None:
    """(Re)write the duplicate keys of these `jobs` rows."""
    db.executemany("DELETE FROM posting_keys WHERE job_id = ?", [(row["id"],) for row in rows])
    db.executemany(
        _INSERT_KEY,
        [(key, row["id"], row["source"]) for row in rows for key in clusters.posting_keys(row, locations[row["id"]])],
    )


def _add_renders(db: sqlite_utils.Database) -> None:
    """Whether a source's pages are rendered in Chromium, as found on an earlier crawl (1), so that
    later crawls go straight to the browser; NULL until a crawl has found so."""
    db["sources"].add_column("renders", int)


def _add_countries(db: sqlite_utils.Database) -> None:
    """A posting's countries on its own row ("FR, BE", in the order of its locations), so that a
    table of postings shows where each is offered. New databases already have the column."""
    if "countries" not in db["jobs"].columns_dict:
        db["jobs"].add_column("countries", str)
    db.execute(
        "UPDATE jobs SET countries = (SELECT group_concat(country_code, ', ') FROM (SELECT country_code FROM job_locations"
        " WHERE job_id = jobs.id AND country_code IS NOT NULL GROUP BY country_code ORDER BY MIN(position)))"
    )


def _cover_locations_by_job(db: sqlite_utils.Database) -> None:
    """Counting a language's postings per country reads each posting's countries from an index
    instead of its location rows: country_languages on 200,000 postings, 213 -> 99 ms."""
    db["job_locations"].create_index(["job_id", "country_code"])


# Each migration takes the database from version N-1 to N; never edit a released one, append.
MIGRATIONS = [_create_schema, _add_lifecycle, _add_secondary_language, _index_text_only_when_it_changes, _add_clusters,
              _add_renders, _add_countries, _cover_locations_by_job, counts.keep_counts]


# The stat a crawler sets when it found that its source's pages are rendered (crawler/app_shell.py).
RENDERS_STAT = "jobatlas/renders"


def remembered_renders(path: str | Path, source: str) -> bool:
    """Whether an earlier crawl found that `source`'s pages are rendered (False for a new store)."""
    if not Path(path).is_file():
        return False
    with contextlib.closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)) as connection:
        try:
            row = connection.execute("SELECT renders FROM sources WHERE name = ?", (source,)).fetchone()
        except sqlite3.OperationalError:  # a store older than the column: migrated when it is opened to write
            return False
    return bool(row and row[0])


# -- the store -------------------------------------------------------------------------------


class StoreError(ValueError):
    """The file given as the store is not one jobatlas may use; the message says why."""


# Tables every jobatlas store has had since its first schema.
_STORE_TABLES = frozenset({"jobs", "crawl_runs", "sources"})


def check_store_file(path: str | Path) -> None:
    """Refuse, before anything is written, a file that is not a jobatlas store: not SQLite at all,
    another application's database, or a store of a newer jobatlas. A missing or empty file is
    fine (a new store); so is a database with no tables yet."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError:
        # Busy or locked: a database, which another crawler process is writing. Not a verdict.
        return
    except sqlite3.DatabaseError as error:  # "file is not a database"
        raise StoreError(f"{path} is not a SQLite database ({error})") from None
    if tables and not _STORE_TABLES <= tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(f"{path} is a SQLite database but not a jobatlas store (its tables: {shown}); give another --db")
    if version > len(MIGRATIONS):
        raise StoreError(f"{path} was written by a newer jobatlas (schema {version}, this one knows {len(MIGRATIONS)}); upgrade jobatlas")


class Store:
    """The jobatlas database: open (migrating it if needed), write postings, answer questions."""

    def __init__(self, path: str | Path) -> None:
        check_store_file(path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(path)
        self._writer_lock: IO[str] | None = None
        self._writing = False
        self.db = sqlite_utils.Database(path)
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.migrate()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction, holding the write lock from its start (BEGIN IMMEDIATE). Several
        crawl processes write to the store at once; a transaction that reads before it writes
        could otherwise not write at all once another had committed in between (SQLite answers
        "database is locked" at once there, rather than wait). Inside another `writing()`, a
        step of that transaction.

        Writers of this module first queue on a lock file beside the database (`<db>.write-lock`):
        the kernel wakes the next one as soon as a transaction ends, where SQLite's own busy wait
        sleeps in steps of up to 100 ms whatever the other writer does."""
        if self._writing:
            yield
            return
        if self._writer_lock is None:
            self._writer_lock = open(f"{self.path}.write-lock", "a")
        fcntl.flock(self._writer_lock, fcntl.LOCK_EX)
        self._writing = True
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.conn.rollback()
                raise
            self.db.conn.execute("COMMIT")
        finally:
            self._writing = False
            fcntl.flock(self._writer_lock, fcntl.LOCK_UN)

    def migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.writing():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.db.close()
        if self._writer_lock is not None:
            self._writer_lock.close()

    # -- writing --

    def save_source(self, name: str, url: str, kind: str | None, endpoint: str | None, company: str | None) -> None:
        with self.writing():
            self.db["sources"].upsert(
                {"name": name, "url": url, "kind": kind, "endpoint": endpoint, "company": company}, pk="name"
            )

    def remember_renders(self, name: str) -> None:
        """The source's pages are rendered in Chromium: later crawls go straight to the browser."""
        with self.writing():
            self.db.execute("UPDATE sources SET renders = 1 WHERE name = ?", (name,))

    def save_postings(self, postings: Iterable[JobPosting], seen_at: str | None = None) -> dict[str, int]:
        """Upsert a batch in one transaction and return what happened, counted by outcome.

        - new: first seen; `first_seen_at` set.
        - updated: its content changed; rewritten with its locations, each change kept in
          `job_changes`.
        - reopened: it was closed and is listed again.
        - unchanged: only `last_seen_at` moves on (no row rewrite).
        - expired: its `valid_through` has passed; stored as closed (counted also as one of the above).
        """
        seen_at = seen_at or utc_now()
        rows, locations = {}, {}
        for posting in postings:
            row, row_locations = _to_rows(posting)
            rows[row["id"]] = row  # the same posting twice in a batch: the last one wins
            locations[row["id"]] = row_locations
        counts = dict.fromkeys(("new", "updated", "reopened", "unchanged", "expired"), 0)
        if not rows:
            return counts
        with self.writing():
            # What decides the outcome; whole rows (descriptions and all) only for what changed.
            known = self._rows_by_id("jobs", "id", list(rows), columns="id, content_hash, status, first_seen_at, closed_at")
            written, changed = [], []
            for job_id, row in rows.items():
                previous = known.get(job_id)
                if _expired(row["valid_through"], seen_at):
                    counts["expired"] += 1
                    row.update(status="closed", closed_at=previous["closed_at"] if previous and previous["closed_at"] else seen_at)
                row["last_seen_at"] = seen_at
                if previous is None:
                    counts["new"] += 1
                    row["first_seen_at"] = seen_at
                elif previous["content_hash"] != row["content_hash"] or previous["status"] != row["status"]:
                    counts["reopened" if row["status"] == "open" and previous["status"] == "closed" else "updated"] += 1
                    row["first_seen_at"] = previous["first_seen_at"]
                    if previous["content_hash"] != row["content_hash"]:
                        changed.append(row)
                else:
                    counts["unchanged"] += 1
                    continue
                written.append(row)

            written_ids = {row["id"] for row in written}
            self.db.conn.executemany(
                "UPDATE jobs SET last_seen_at = ? WHERE id = ?",
                [(seen_at, job_id) for job_id in rows if job_id not in written_ids],
            )
            if changed:
                previous_rows = self._rows_by_id("jobs", "id", [row["id"] for row in changed])
                self._record_changes([(previous_rows[row["id"]], row) for row in changed], locations, seen_at)
            if written:
                self.db.conn.executemany(_UPSERT_JOB, [[row[name] for name in JOB_COLUMNS] for row in written])
                self.db.conn.executemany("DELETE FROM job_locations WHERE job_id = ?", [(i,) for i in written_ids])
                self.db.conn.executemany(
                    _INSERT_LOCATION,
                    [[location[name] for name in LOCATION_COLUMNS] for job_id in written_ids for location in locations[job_id]],
                )
                _write_keys(self.db.conn, written, locations)
        return counts

    def _record_changes(
        self, changes: list[tuple[dict[str, Any], dict[str, Any]]], locations: dict[str, list[dict[str, Any]]], when: str
    ) -> None:
        old_locations: dict[str, list[dict[str, Any]]] = {}
        for location in self._rows_by_id("job_locations", "job_id", [new["id"] for _, new in changes], many=True):
            old_locations.setdefault(location["job_id"], []).append(location)
        records = []
        for old, new in changes:
            before = {name: old[name] for name in TRACKED_FIELDS} | {"locations": _places(old_locations.get(old["id"], []))}
            after = {name: new[name] for name in TRACKED_FIELDS} | {"locations": _places(locations[new["id"]])}
            for field_name, old_value in before.items():
                if old_value != after[field_name]:
                    records.append(
                        {"job_id": new["id"], "source": new["source"], "changed_at": when, "field": field_name,
                         "old_value": _as_text(old_value), "new_value": _as_text(after[field_name])}
                    )
        self.db["job_changes"].insert_all(records)

    def _rows_by_id(
        self, table: str, column: str, ids: list[str], many: bool = False, columns: str = "*"
    ) -> Any:
        """Rows of `table` (`columns` of them) whose `column` is one of `ids`: by id, or all of them (`many`)."""
        found: Any = [] if many else {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            for row in self.db.query(f"SELECT {columns} FROM [{table}] WHERE [{column}] IN ({placeholders})", chunk):
                if many:
                    found.append(row)
                else:
                    found[row[column]] = row
        return found

    def close_unseen(self, source: str, since: str, closed_at: str | None = None) -> int:
        """Close the open postings of `source` not seen since `since` (the start of a complete run)."""
        with self.writing():
            cursor = self.db.execute(
                "UPDATE jobs SET status = 'closed', closed_at = ?"
                " WHERE source = ? AND status = 'open' AND last_seen_at < ?",
                [closed_at or utc_now(), source, since],
            )
        return cursor.rowcount

    def close_postings(self, job_ids: Iterable[str], closed_at: str | None = None) -> int:
        """Close these postings (their own page answered 404 / 410)."""
        job_ids = list(job_ids)
        if not job_ids:
            return 0
        with self.writing():
            cursor = self.db.conn.executemany(
                "UPDATE jobs SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
                [(closed_at or utc_now(), job_id) for job_id in job_ids],
            )
        return cursor.rowcount

    def open_postings(self, source: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM jobs WHERE source = ? AND status = 'open'", [source]).fetchone()[0]

    def seen_since(self, source: str, since: str) -> int:
        """How many postings of `source` were seen since `since`: all a resumed run has seen."""
        return self.db.execute(
            "SELECT COUNT(*) FROM jobs WHERE source = ? AND last_seen_at >= ?", [source, since]
        ).fetchone()[0]

    def resumed_runs(self, source: str, since: str, run_id: int) -> list[dict[str, Any]]:
        """The runs of `source` that run `run_id` resumes: none when it began the run itself at
        `since`, else those since then, stopped before they ended."""
        run = self.db.execute("SELECT started_at FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
        if run is None or run[0] <= since:
            return []
        return list(self.db.query(
            "SELECT id, status, errors FROM crawl_runs WHERE source = ? AND started_at >= ? AND id < ? ORDER BY id",
            [source, since, run_id],
        ))

    def start_run(self, source: str, started_at: str | None = None) -> int:
        with self.writing():
            table = self.db["crawl_runs"].insert(
                {"source": source, "started_at": started_at or utc_now(), "status": "running"}
            )
        return int(table.last_pk)

    def last_run_pages(self) -> dict[str, int]:
        """Pages each source's latest finished run fetched: how big its next crawl is likely to be."""
        rows = self.db.execute(
            "SELECT source, pages FROM crawl_runs WHERE id IN"
            " (SELECT MAX(id) FROM crawl_runs WHERE pages IS NOT NULL GROUP BY source)"
        )
        return dict(rows.fetchall())

    def mark_interrupted_runs(self) -> int:
        """Runs still 'running' belong to a crawl that was killed: call this only under the crawl
        lock, when no other crawl can be running."""
        with self.writing():
            cursor = self.db.execute(
                "UPDATE crawl_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'", [utc_now()]
            )
        return cursor.rowcount

    def source_names(self) -> list[str]:
        """The names of the sources crawled into this store, sorted."""
        return [name for (name,) in self.db.execute("SELECT name FROM sources ORDER BY name")]

    def runs(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The latest crawl runs, newest first."""
        where, params = ("WHERE source = ?", [source]) if source else ("", [])
        return list(
            self.db.query(
                "SELECT id, source, started_at, finished_at, status, pages, postings_seen AS seen,"
                " postings_new AS new, postings_updated AS updated, postings_reopened AS reopened,"
                " postings_closed AS closed, errors, problems"
                f" FROM crawl_runs {where} ORDER BY id DESC LIMIT ?",
                [*params, limit],
            )
        )

    def finish_run(self, run_id: int, **fields: Any) -> None:
        fields.setdefault("finished_at", utc_now())
        for name in ("problems", "problem_examples"):
            if name in fields and not isinstance(fields[name], str):
                fields[name] = json.dumps(fields[name], ensure_ascii=False)
        with self.writing():
            self.db["crawl_runs"].update(run_id, fields)

    def link_duplicates(self) -> clusters.Linked:
        """Link the postings published on several sources into clusters (see pipelines.clusters):
        once, at the end of a crawl."""
        with self.writing():
            return clusters.link(self.db.conn)

    # -- reading --

    def countries_for_language(self, language: str) -> list[dict[str, Any]]:
        """Countries with open postings in `language`, with counts, most first."""
        return queries.countries_for_language(self.db.conn, language_tag(language) or language.lower())

    def languages_for_country(self, country_code: str | None = None) -> list[dict[str, Any]]:
        """Languages with open postings (in one country, or anywhere), with counts, most first."""
        return queries.languages_for_country(self.db.conn, country_code.upper() if country_code else None)


def _to_rows(posting: JobPosting) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A posting as a `jobs` row with every column present and its `job_locations` rows."""
    job_id = stable_id(posting.source, posting.key)
    # Read the columns off the posting: dataclasses.asdict would deep-copy every nested field first.
    row = {name: getattr(posting, name, None) for name in JOB_COLUMNS}
    row.update(
        id=job_id,
        translation_group=stable_id(posting.source, posting.translation_key) if posting.translation_key else job_id,
        status="open",
        closed_at=None,
        cluster_id=job_id,  # alone until linking finds its duplicates (kept on later writes)
    )
    locations = [
        {name: location.get(name) for name in LOCATION_COLUMNS} | {"job_id": job_id, "position": position}
        for position, location in enumerate(posting.resolved_locations)
    ]
    for location in locations:
        location["remote"] = int(bool(location["remote"]))
    row["countries"] = ", ".join(dict.fromkeys(loc["country_code"] for loc in locations if loc["country_code"])) or None
    content = [row[name] for name in CONTENT_COLUMNS] + [
        [location[name] for name in LOCATION_COLUMNS] for location in locations
    ]
    row["content_hash"] = hashlib.sha1(json.dumps(content, default=str).encode("utf-8")).hexdigest()
    return row, locations


# -- the Scrapy pipeline ---------------------------------------------------------------------


# The stores this process writes through its crawlers: one connection per database file, opened
# by the first crawler and shared by the next ones (a census crawls thousands of sources, and
# opening, checking and closing a connection for each cost more than writing its postings).
_shared_stores: dict[tuple[int, Path], Store] = {}


def shared_store(path: str | Path) -> Store:
    """This process's store at `path` (a forked process gets its own)."""
    key = (os.getpid(), Path(path).resolve())
    if key not in _shared_stores:
        _shared_stores[key] = Store(path)
    return _shared_stores[key]


def close_shared_stores() -> None:
    """Close the stores this process's crawlers wrote through; call once they have all stopped."""
    for key in [key for key in _shared_stores if key[0] == os.getpid()]:
        _shared_stores.pop(key).close()


@dataclass
class CrawlerEnd:
    """What one crawler of a source's run leaves when it stops: its stats, Scrapy's reason for
    stopping, and the keys of postings whose own page answered 404 / 410."""

    stats: dict[str, Any]
    reason: str
    gone_keys: set[str] = field(default_factory=set)


def finish_run(
    store: Store, source: str, source_url: str, run_id: int, since: str, open_before: int, ends: list[CrawlerEnd],
    empty_guard: int = 3,
) -> MergedStats:
    """Close what a source's run shows is gone and write its crawl_runs row, from what its crawlers
    left: one crawler, or one per shard of a source crawled in parts. Returns their merged stats,
    with the run's status and closed count added.

    Closing needs strong evidence: only a run that read the whole listing without a single error
    closes what it did not see; a source that suddenly lists nothing is flagged, not emptied; a
    posting whose own page answers 404 / 410 is closed whatever else happened."""
    # One transaction: the run's reading and closing and its row, written together.
    with store.writing():
        stats = MergedStats([end.stats for end in ends])
        counts = {
            name: stats.get(f"jobatlas/postings_{name}", 0) for name in ("new", "updated", "reopened", "unchanged", "expired")
        }
        seen = sum(counts[name] for name in ("new", "updated", "reopened", "unchanged"))
        pages = stats.get("jobatlas/pages", 0)
        # A run resuming one that was stopped (Ctrl-C, SIGTERM) goes on from where that one was: what
        # that one saw and the errors it met count as this run's.
        resumed = store.resumed_runs(source, since, run_id)
        earlier_errors = sum(run["errors"] or 0 for run in resumed)
        if resumed:
            record_problem(stats, "resumed", source_url, f"went on with the run started at {since}, stopped before it ended")
        seen_in_run = store.seen_since(source, since) if resumed else seen
        if pages or resumed:
            if not seen_in_run and open_before >= empty_guard:
                record_problem(
                    stats, "empty_listing", source_url,
                    f"no postings listed where {open_before} were open: nothing closed; check the source",
                )
            elif not seen_in_run:
                record_problem(
                    stats, "no_postings_found", source_url,
                    "no job postings found (rendered client-side, or on an ATS this source does not name?)",
                )
        errors = error_count(stats)
        stopped_early = any(end.reason != "finished" for end in ends)
        if not pages and not resumed:
            status = "failed"
        else:
            status = "partial" if errors or earlier_errors or stopped_early else "complete"

        closed = store.close_postings(stable_id(source, key) for end in ends for key in end.gone_keys)
        if status == "complete":
            closed += store.close_unseen(source, since=since)
        stats.update({"jobatlas/postings_closed": closed + counts["expired"], "jobatlas/run_status": status})
        store.finish_run(
            run_id,
            status=status,
            pages=pages,
            postings_seen=seen,
            postings_new=counts["new"],
            postings_updated=counts["updated"],
            postings_unchanged=counts["unchanged"],
            postings_reopened=counts["reopened"],
            postings_closed=closed + counts["expired"],
            errors=errors,
            problems=problems_by_kind(stats),
            problem_examples=stats.get(EXAMPLES_KEY, []),
        )
    return stats


class BatchingPipeline:
    """The last step's shape: postings kept until JOBATLAS_BATCH_SIZE of them (or the crawl's end)
    are handed on together to `flush`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("JOBATLAS_BATCH_SIZE", 500)
        self.buffer: list[JobPosting] = []

    def process_item(self, item: JobPosting) -> JobPosting:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        raise NotImplementedError


class StorePipeline(BatchingPipeline):
    """Step 5: postings go to the store in batches; one crawl_runs row per source per run; at
    the end of a complete run, the postings it no longer lists are closed (`finish_run`).

    A crawler that is one shard of a source (JOBATLAS_SHARD, set by `crawler.crawl` when a large
    careers site is split between processes) only writes postings: the process that started the
    shards writes the source's run once all of them have stopped."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.path = crawler.settings.get("JOBATLAS_DB")
        self.empty_guard = crawler.settings.getint("JOBATLAS_EMPTY_LISTING_GUARD", 3)
        self.is_shard = bool(crawler.settings.get("JOBATLAS_SHARD"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.store = shared_store(self.path)
        source = self.crawler.spider.source
        run_started = utc_now()
        # A resumed run began with the run it resumes: what that one saw counts as seen now.
        self.seen_since = self.crawler.settings.get("JOBATLAS_RUN_SINCE") or run_started
        self.crawler.stats.set_value("jobatlas/run_since", self.seen_since)
        with self.store.writing():
            self.store.save_source(source.name, source.url, source.kind, source.endpoint, source.company)
            if not self.is_shard:
                self.run_id = self.store.start_run(source.name, run_started)
                self.open_before = self.store.open_postings(source.name)

    def flush(self) -> None:
        batch, self.buffer = self.buffer, []
        for name, count in self.store.save_postings(batch).items():
            self.crawler.stats.inc_value(f"jobatlas/postings_{name}", count)

    def close_spider(self) -> None:
        self.flush()
        if self.crawler.stats.get_value(RENDERS_STAT):
            self.store.remember_renders(self.crawler.spider.source.name)

    def spider_closed(self, spider: Any, reason: str) -> None:
        """The run is written once Scrapy says why it stopped (pipelines close before that)."""
        if not self.is_shard:
            end = CrawlerEnd(self.crawler.stats.get_stats(), reason, getattr(spider, "gone_keys", set()))
            stats = finish_run(
                self.store, spider.source.name, spider.source.url, self.run_id, self.seen_since, self.open_before,
                [end], self.empty_guard,
            )
            self.crawler.stats.set_stats(dict(stats))
