"""Query speed: a store of N postings written through the store's own write path, then the
country-per-language question timed as `jobatlas countries --lang` asks it (the query, not the
process start-up), and through Datasette's canned query.

    python bench/query.py [--rows 1000000] [--repeat 20]

Prints the write rate and the median milliseconds of each query."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.browse import build_datasette  # noqa: E402
from crawler.items import JobPosting  # noqa: E402
from pipelines.store import Store  # noqa: E402

LANGUAGES = ["en", "en", "en", "de", "fr", "es", "pt", "it", "nl", "pl", "sv", "ja"]
COUNTRIES = ["US", "GB", "DE", "FR", "ES", "PT", "IT", "NL", "PL", "SE", "JP", "CA", "BR", "MX", "IN", "AU", "CH", "AT", "BE", "IE"]


def postings(count: int, rng: random.Random) -> list[JobPosting]:
    items = []
    for number in range(count):
        posting = JobPosting(source=f"source-{number % 500}", key=f"job-{number}", url=f"https://jobs.example.com/{number}",
                             title=f"Engineer {number}", description="Build and run services.", language=rng.choice(LANGUAGES))
        posting.resolved_locations = [
            {"raw": code, "city": None, "region": None, "country_code": code, "latitude": None, "longitude": None, "remote": False}
            for code in rng.sample(COUNTRIES, rng.choice([1, 1, 1, 2]))
        ]
        items.append(posting)
    return items


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "jobs.db"
        store = Store(db)
        started = time.perf_counter()
        for start in range(0, args.rows, 10_000):
            store.save_postings(postings(min(10_000, args.rows - start), rng))
        seconds = time.perf_counter() - started
        print(f"wrote {args.rows:,} postings in {seconds:.1f} s ({args.rows / seconds:,.0f} postings/s, batches of 10,000)")

        print(f"countries --lang fr: {median_ms(lambda: store.countries_for_language('fr'), args.repeat):.1f} ms median")
        print(f"languages:           {median_ms(lambda: store.languages_for_country(None), args.repeat):.1f} ms median")

        datasette = build_datasette(db)

        async def canned() -> None:
            response = await datasette.client.get("/jobs/countries_for_language.json?lang=fr&_shape=array")
            assert response.status_code == 200, response.text

        print(f"Datasette canned:    {median_ms(lambda: asyncio.run(canned()), args.repeat):.1f} ms median")
        store.close()


if __name__ == "__main__":
    main()
