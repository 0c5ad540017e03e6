"""Query speed: a store of N postings written through the store's own write path (a tenth of
them published again on a second source: duplicates), the duplicates linked as a crawl's end
links them, then the country-per-language question timed as `jobatlas countries --lang` asks it
(the query, not the process start-up), and through Datasette's canned query.

    python bench/query.py [--rows 1000000] [--repeat 20]

Prints the write rate, the linking time and the median milliseconds of each query."""

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
from pipelines.queries import Filters, countries_for_language  # noqa: E402
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
            store.save_postings(postings(start, min(10_000, args.rows - start), rng))
        seconds = time.perf_counter() - started
        rows = store.db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        print(f"wrote {rows:,} postings in {seconds:.1f} s ({rows / seconds:,.0f} postings/s, batches of 10,000)")

        for when in ("first", "again"):  # linking everything, then a crawl's end with nothing new
            started = time.perf_counter()
            linked = store.link_duplicates()
            print(f"linking ({when}): {time.perf_counter() - started:.2f} s ({linked.clusters:,} clusters of"
                  f" {linked.postings:,} postings, {linked.changed:,} rows re-pointed)")

        conn = store.db.conn
        print(f"countries --lang fr: {median_ms(lambda: store.countries_for_language('fr'), args.repeat):.1f} ms median")
        print(f"  --count-rows:      {median_ms(lambda: countries_for_language(conn, 'fr', count_rows=True), args.repeat):.1f} ms median")
        one_company = Filters(companies=("Company 7",))
        print(f"  --company:         {median_ms(lambda: countries_for_language(conn, 'fr', one_company), args.repeat):.1f} ms median")
        print(f"languages:           {median_ms(lambda: store.languages_for_country(None), args.repeat):.1f} ms median")

        datasette = build_datasette(db)

        async def canned() -> None:
            response = await datasette.client.get("/jobs/countries_for_language.json?lang=fr&_shape=array")
            assert response.status_code == 200, response.text

        print(f"Datasette canned:    {median_ms(lambda: asyncio.run(canned()), args.repeat):.1f} ms median")
        store.close()


if __name__ == "__main__":
    main()
