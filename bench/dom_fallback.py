"""The DOM fallback's cost per page (crawler/dom_fallback.py): what a careers page without job
markup costs on top of the markup and embedded-state checks it already went through.

    python bench/dom_fallback.py [--repeat 200]

Reads the fallback fixture pages (tests/sites/dom/*/) and, where present, the real careers pages in
../shared/real-samples/careers-pages/: each page is parsed once, as Scrapy parses it, then read
`--repeat` times. When trafilatura is installed (it is not a dependency), its `extract` on the same
pages is timed beside it, for the comparison the fallback was chosen on.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.dom_fallback import dom_posting

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted((REPO / "tests" / "sites" / "dom").rglob("*.html"))
REAL_PAGES = sorted((REPO.parent / "shared" / "real-samples" / "careers-pages").glob("*.html"))


def per_page_ms(read, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        read()
    return (time.perf_counter() - started) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    print(f"{'page':44} {'KiB':>6} {'posting':>8} {'fallback ms':>12} {'trafilatura ms':>15}")
    ours, theirs = [], []
    for path in PAGES + REAL_PAGES:
        body = path.read_bytes()
        response = HtmlResponse(url=f"https://bench.example/{path.parent.name}/{path.name}", body=body, encoding="utf-8")
        response.selector  # parsed once, as the spider has it before the fallback runs
        found = dom_posting(response, f"/{path.parent.name}/")
        cost = per_page_ms(lambda: dom_posting(response, f"/{path.parent.name}/"), repeat)
        ours.append(cost)
        other = ""
        if trafilatura is not None:
            text = response.text
            other_cost = per_page_ms(lambda: trafilatura.extract(text), max(1, repeat // 10))
            theirs.append(other_cost)
            other = f"{other_cost:15.2f}"
        print(f"{path.parent.name + '/' + path.name:44.44} {len(body) / 1024:6.1f} {'yes' if found else 'no':>8} {cost:12.3f} {other}")
    print(f"\nfallback: median {statistics.median(ours):.3f} ms/page, max {max(ours):.3f}")
    if theirs:
        print(f"trafilatura.extract: median {statistics.median(theirs):.2f} ms/page, max {max(theirs):.2f}")


if __name__ == "__main__":
    main()
