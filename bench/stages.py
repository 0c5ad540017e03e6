"""Per-stage cost of a careers page or an ATS posting, without the network or Scrapy's engine:
where the CPU goes.

    python bench/stages.py [--pages 2000] [--ats]

Builds synthetic posting pages (bench/synthetic.py), or with `--ats` Greenhouse board answers
of 250 postings (bench/boards.py), then runs each stage of the data's journey over all of them in
turn and prints milliseconds per page (per posting) for each: the spider's extraction
(`parse_page`: JSON-LD, language evidence, links; or `parse_listing`), then the pipelines clean →
language → location → normalize → store (batched as in a crawl). Start-up costs (the language
model, the location gazetteer) are printed apart: a crawl pays them once."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(Path(__file__).parent)]
from boards import greenhouse_board  # noqa: E402
from synthetic import posting_page  # noqa: E402

from crawler import settings as crawler_settings  # noqa: E402
from crawler.items import JobPosting  # noqa: E402
from crawler.sources import Source  # noqa: E402
from crawler.app_shell import RenderChoice
from crawler.spiders.careers_site import CareersSiteSpider  # noqa: E402
from crawler.spiders.board import Page  # noqa: E402
from crawler.spiders.greenhouse import GreenhouseSpider  # noqa: E402
from pipelines.clean import CleanPipeline  # noqa: E402
from pipelines.language import LanguagePipeline  # noqa: E402
from pipelines.location import LocationPipeline  # noqa: E402
from pipelines.normalize import NormalizePipeline  # noqa: E402
from pipelines.store import Store  # noqa: E402


def timed(label: str, action: Callable[[], Any], per: int | None = None) -> Any:
    """Runs the action; prints the CPU time it took (on a shared machine the wall time stretches
    with the load, the CPU time far less)."""
    started = time.process_time()
    result = action()
    elapsed = time.process_time() - started
    if per:
        print(f"{label:34} {1000 * elapsed / per:7.3f} ms/page")
    else:
        print(f"{label:34} {elapsed:7.2f} s once")
    return result


def project_settings() -> dict[str, Any]:
    """crawler/settings.py as a dict: the settings a crawl starts from."""
    return {name: getattr(crawler_settings, name) for name in dir(crawler_settings) if name.isupper()}


def careers_pages(pages: int) -> tuple[Any, Callable[[], list[JobPosting]]]:
    """The careers-site spider and its extraction over `pages` synthetic posting pages."""
    origin = "https://careers.example.com"
    bodies = [posting_page(number).encode("utf-8") for number in range(pages)]
    print(f"{pages} pages, {sum(map(len, bodies)) / len(bodies) / 1024:.1f} KB on average\n")
    crawler = get_crawler(CareersSiteSpider, {**project_settings(), "JOBATLAS_MAX_LINK_HOPS": 5, "JOBATLAS_DB": ":memory:"})
    crawler._apply_settings()
    spider = CareersSiteSpider.from_crawler(crawler, source=Source(name="bench", url=f"{origin}/jobs/"))
    crawler.spider = spider
    spider.render = RenderChoice(spider)  # made when a crawl starts the spider

    def extract() -> list[JobPosting]:
        items = []
        for number, body in enumerate(bodies):
            url = f"{origin}/jobs/{number}.html"
            response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}, request=Request(url))
            items.extend(output for output in spider.parse_page(response) if isinstance(output, JobPosting))
        return items

    return crawler, extract


def greenhouse_answers(postings: int) -> tuple[Any, Callable[[], list[JobPosting]]]:
    """The Greenhouse spider and its extraction over board answers holding `postings` postings."""
    rng = random.Random(1)
    url = "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true"
    bodies = [
        json.dumps(greenhouse_board(rng, "acme", "Acme Ltd", 250, 4_100_000 + 1000 * number, Counter())).encode("utf-8")
        for number in range(max(1, postings // 250))
    ]
    print(f"{len(bodies)} board answers of 250 postings, {sum(map(len, bodies)) / len(bodies) / 250 / 1024:.1f} KB a posting\n")
    crawler = get_crawler(GreenhouseSpider)
    crawler._apply_settings()
    spider = GreenhouseSpider.from_crawler(crawler, source=Source(name="bench", url="https://boards.greenhouse.io/acme", kind="greenhouse"))
    crawler.spider = spider

    def extract() -> list[JobPosting]:
        items = []
        for body in bodies:
            response = TextResponse(url, body=body, headers={"Content-Type": "application/json"}, request=Request(url))
            listing = spider._listing(url, Page(0, 0), seen=set(), total=None)  # the request the spider starts with
            items.extend(output for output in spider.parse_listing(response, **listing.cb_kwargs) if isinstance(output, JobPosting))
        return items

    return crawler, extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="careers pages, or with --ats postings")
    parser.add_argument("--ats", action="store_true", help="Greenhouse board answers instead of careers pages")
    args = parser.parse_args()
    crawler, extract = greenhouse_answers(args.pages) if args.ats else careers_pages(args.pages)

    language = timed("start-up: language model", LanguagePipeline)
    location = LocationPipeline()
    timed("start-up: location gazetteer", location.open_spider)
    clean = CleanPipeline(crawler)
    normalize = NormalizePipeline()

    items = timed("extract (response + parse)", extract, args.pages)
    for label, stage in (("clean", clean), ("language", language), ("location", location), ("normalize", normalize)):
        timed(label, lambda: [stage.process_item(item) for item in items], len(items))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "jobs.db")
        timed("store (batches of 500)", lambda: [store.save_postings(items[i : i + 500]) for i in range(0, len(items), 500)], len(items))
        timed("store again, unchanged", lambda: [store.save_postings(items[i : i + 500]) for i in range(0, len(items), 500)], len(items))
        store.close()


if __name__ == "__main__":
    main()
