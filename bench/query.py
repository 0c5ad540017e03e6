"""Query speed: a store of N postings written through the store's own write path (a tenth of
them published again on a second source: duplicates), their first sightings then spread over a
year and a fifth of them closed, the duplicates linked as a crawl's end links them; then the
questions timed as `jobatlas countries / languages / trend` ask them (the query, not the process
start-up), and Datasette's canned queries and trend chart through its internal client.

    python bench/query.py [--rows 1000000] [--repeat 20] [--db FILE]

Prints the write rate, the linking time, the median milliseconds of each question, and then
`jobatlas export --all` of the whole store in each format: rows/s and the peak RSS of its process."""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasette_dashboards import replace_opts_in_query  # noqa: E402

from crawler.browse import build_datasette, datasette_metadata  # noqa: E402
from crawler.items import JobPosting  # noqa: E402
from pipelines.queries import Filters, countries_for_language, trend  # noqa: E402
from pipelines.store import Store  # noqa: E402

LANGUAGES = ["en", "en", "en", "de", "fr", "es", "pt", "it", "nl", "pl", "sv", "ja"]
COUNTRIES = ["US", "GB", "DE", "FR", "ES", "PT", "IT", "NL", "PL", "SE", "JP", "CA", "BR", "MX", "IN", "AU", "CH", "AT", "BE", "IE"]


DUPLICATED = 0.1  # the share of postings a company's careers page publishes too


def postings(first: int, count: int, rng: random.Random) -> list[JobPosting]:
    items = []
    for number in range(first, first + count):
        company = number % 500
        posting = JobPosting(source=f"board-{company}", key=f"job-{number}", url=f"https://jobs.example.com/{number}",
                             title=f"Engineer {number}", company=f"Company {company}", description="Build and run services.",
                             language=rng.choice(LANGUAGES))
        posting.resolved_locations = [
            {"raw": code, "city": f"City {code}", "region": None, "country_code": code, "latitude": None, "longitude": None,
             "remote": False}
            for code in rng.sample(COUNTRIES, rng.choice([1, 1, 1, 2]))
        ]
        items.append(posting)
        if rng.random() < DUPLICATED:  # the same job on the company's careers page
            again = JobPosting(**{**posting.__dict__, "source": f"careers-{company}", "url": f"https://company{company}.example/jobs/{number}"})
            items.append(again)
    return items


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def spread_over_a_year(store: Store) -> None:
    """First sightings spread over the year before the last crawl, and a fifth of the postings
    closed within four months of theirs: a history for `--at` and the trend to read."""
    with store.writing():
        store.db.execute(
            "UPDATE jobs SET first_seen_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', ?, '+' || (rowid * 364 / (SELECT MAX(rowid) FROM jobs)) || ' days'),"
            " last_seen_at = ?, status = 'open', closed_at = NULL",
            [YEAR_START, LAST_CRAWL],
        )
        store.db.execute(
            "UPDATE jobs SET status = 'closed', closed_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', first_seen_at, '+' || (rowid % 120) || ' days')"
            " WHERE rowid % 5 = 0 AND strftime('%Y-%m-%dT%H:%M:%S+00:00', first_seen_at, '+' || (rowid % 120) || ' days') < ?",
            [LAST_CRAWL],
        )


YEAR_START, LAST_CRAWL = "2025-11-21T08:00:00+00:00", "2026-11-20T08:00:00+00:00"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", type=Path, help="Keep the store here (a store that already has postings is timed as it is).")
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "jobs.db"
        store = Store(db)
        if not store.db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]:
            started = time.perf_counter()
            for start in range(0, args.rows, 10_000):
                store.save_postings(postings(start, min(10_000, args.rows - start), rng))
            seconds = time.perf_counter() - started
            rows = store.db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
            print(f"wrote {rows:,} postings in {seconds:.1f} s ({rows / seconds:,.0f} postings/s, batches of 10,000)")
        spread_over_a_year(store)

        for when in ("first", "again"):  # linking everything, then a crawl's end with nothing new
            started = time.perf_counter()
            linked = store.link_duplicates()
            print(f"linking ({when}): {time.perf_counter() - started:.2f} s ({linked.clusters:,} clusters of"
                  f" {linked.postings:,} postings, {linked.changed:,} rows re-pointed)")

        conn = store.db.conn
        one_company = Filters(companies=("Company 7",))
        timings = {
            "countries --lang fr": lambda: store.countries_for_language("fr"),
            "  --count-rows": lambda: countries_for_language(conn, "fr", count_rows=True),
            "  --company": lambda: countries_for_language(conn, "fr", one_company),
            "  --at (half a year ago)": lambda: countries_for_language(conn, "fr", Filters(at="2026-05-20")),
            "languages": lambda: store.languages_for_country(None),
            "trend --by month (12 periods)": lambda: trend(conn, "fr", date(2025, 11, 21), date(2026, 11, 20), "month"),
        }
        for name, question in timings.items():
            print(f"{name + ':':32} {median_ms(question, args.repeat if 'trend' not in name else 1):8.2f} ms median")

        # Datasette: its canned queries and the trend chart's query (Datasette stops a query at 1 s).
        datasette = build_datasette(db)
        metadata = datasette_metadata()
        chart = metadata["plugins"]["datasette-dashboards"]["open-jobs-over-time"]["charts"]["trend"]["query"]
        pages = {
            "canned countries_for_language": "/jobs/countries_for_language.json?lang=fr",
            "canned languages_for_country": "/jobs/languages_for_country.json?country=DE",
            "canned countries_for_company": "/jobs/countries_for_company.json?company=company+7&lang=fr",
            "trend chart (lang=fr)": "/jobs.json?" + urlencode({"sql": replace_opts_in_query(chart, {"lang": "fr"}), "lang": "fr"}),
            "trend chart (lang=fr, country=DE)": "/jobs.json?" + urlencode(
                {"sql": replace_opts_in_query(chart, {"lang": "fr", "country": "DE"}), "lang": "fr", "country": "DE"}),
        }

        async def get(path: str) -> None:
            response = await datasette.client.get(path + "&_shape=array")
            assert response.status_code == 200, response.text[:300]

        for name, path in pages.items():
            print(f"{name + ':':32} {median_ms(lambda: asyncio.run(get(path)), max(1, args.repeat // 4)):8.1f} ms median")
        store.close()

        for output_format in ("csv", "jsonl", "parquet"):
            rows, seconds, peak_mb = timed_export(db, output_format, Path(tmp) / f"export.{output_format}")
            print(f"{'export --all --format ' + output_format + ':':32} {rows / seconds:8,.0f} rows/s"
                  f"  ({rows:,} rows in {seconds:.1f} s, peak RSS {peak_mb:.0f} MB)")


# `jobatlas export` in a process of its own, which reports its peak memory when it is done: the
# kernel's high-water mark of this program (ru_maxrss would count the forking parent's, which
# it inherits across exec).
_EXPORT = """
import re, sys
from crawler.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    if stop.code:
        raise
print(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1), file=sys.stderr)
"""


def timed_export(db: Path, output_format: str, path: Path) -> tuple[int, float, float]:
    """`jobatlas export --all` of the whole store: rows written, seconds, peak RSS in MB."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _EXPORT, "export", "--db", str(db), "--all", "--format", output_format, "-o", str(path)],
        capture_output=True, text=True, check=True,
    )
    seconds = time.perf_counter() - started
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
    return rows, seconds, int(done.stderr.split()[-1]) / 1024


if __name__ == "__main__":
    main()
