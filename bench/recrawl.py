"""Benchmark: crawl an unchanged synthetic careers site twice and compare.

    python bench/recrawl.py [--postings 2000]

Prints, for each run: wall time, HTTP 200 / 304 answers, postings new / updated / unchanged, and
how many rows the second run rewrote (it should be none), then the time ratio second / first."""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import serve_synthetic  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CRAWL_SETTINGS = ["--set", "AUTOTHROTTLE_ENABLED=false", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "--set", "DEPTH_LIMIT=0"]


def crawl(sources: Path, db: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--db", str(db), "--quiet", *CRAWL_SETTINGS],
        cwd=REPO, capture_output=True, text=True,
    )
    if result.returncode != 0:
        sys.exit(f"crawl failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve_synthetic(args.postings) as (origin, site):
        sources, db = Path(tmp) / "sources.yml", Path(tmp) / "jobs.db"
        sources.write_text(yaml.safe_dump({"sources": [{"name": "synthetic", "url": origin + "/jobs/"}]}))
        timings = []
        for run in (1, 2):
            site.counts.clear()
            seconds = crawl(sources, db)
            with sqlite3.connect(db) as connection:
                new, updated, unchanged, closed = connection.execute(
                    "SELECT postings_new, postings_updated, postings_unchanged, postings_closed FROM crawl_runs ORDER BY id DESC LIMIT 1"
                ).fetchone()
                changes = connection.execute("SELECT COUNT(*) FROM job_changes").fetchone()[0]
            timings.append(seconds)
            print(f"run {run}: {seconds:6.1f} s  HTTP 200: {site.counts.get('200', 0):5}  304: {site.counts.get('304', 0):5}"
                  f"  new {new}  updated {updated}  unchanged {unchanged}  closed {closed}  rows rewritten {new + updated}"
                  f"  changes kept {changes}")
        print(f"second / first: {timings[1] / timings[0]:.2f}")


if __name__ == "__main__":
    main()
