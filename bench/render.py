"""Benchmark: what a page rendered in Chromium costs against the same page read plain.

    python bench/render.py [--pages 100] [--render-pages 4]

Two careers sites with the same jobs are served on 127.0.0.1: one plain (a listing linking to
posting pages with schema.org JSON-LD), one a single-page application (the listing and each
posting page an empty #root whose script fetches its JSON). Each is crawled alone by
`jobatlas crawl --workers 1` (the rendered one with `render: true`) while the crawl's whole process
tree - the crawler and, when rendering, Playwright's driver and Chromium's processes - is sampled
every 0.1 s for its memory. Prints, per site: pages, postings, the time from the crawl's first request to its last, pages/s, and
the peak PSS and peak RSS of the tree (PSS counts a page shared between processes once, split
between them; RSS counts it in each, so it overstates a tree of Chromium processes)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from crawler.sites import SiteHandler, serve_site  # noqa: E402

CITIES = [("Berlin", "DE"), ("Lyon", "FR"), ("Porto", "PT"), ("Utrecht", "NL"), ("Bologna", "IT"), ("Sevilla", "ES")]
DESCRIPTION = (
    "You will design, build and run the services behind our logistics platform, work closely with "
    "product and operations, review code, and help us keep our systems reliable as we grow across Europe. "
)
# Neither site should wait on politeness: both are on this machine, and the comparison is the browser.
CRAWL_SETTINGS = ["--set", "AUTOTHROTTLE_ENABLED=false", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]

APP = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Careers</title></head>
<body><div id="root"></div><script src="/spa/app.js"></script></body></html>
"""
APP_SCRIPT = """(function () {
  var root = document.getElementById("root");
  var match = location.pathname.match(/job-(\\d+)\\.html$/);
  fetch(match ? "/spa/api/job-" + match[1] + ".json" : "/spa/api/jobs.json")
    .then(function (answer) { return answer.json(); })
    .then(function (data) {
      if (data.job) {
        root.innerHTML = "<h1></h1><p></p>";
        root.querySelector("h1").textContent = data.job.title;
        root.querySelector("p").textContent = data.job.description;
      } else {
        root.innerHTML = data.jobs.map(function (job) {
          return '<a href="/spa/jobs/job-' + job.id + '.html">' + job.title + "</a>";
        }).join("<br>");
      }
    });
})();
"""


def job(number: int, path: str) -> dict:
    city, country = CITIES[number % len(CITIES)]
    return {
        "id": str(number),
        "title": f"Software Engineer {number}",
        "url": f"{path}/jobs/job-{number}.html",
        "location": {"city": city, "country": country},
        "datePosted": "2026-11-01",
        "description": DESCRIPTION * 3,
    }


def write_sites(root: Path, pages: int) -> None:
    """`/plain/` and `/spa/` under `root`, with `pages` postings each."""
    plain, spa = root / "plain" / "jobs", root / "spa" / "jobs"
    for folder in (plain, spa, root / "spa" / "api"):
        folder.mkdir(parents=True)
    links = "".join(f'<li><a href="/plain/jobs/job-{n}.html">Software Engineer {n}</a></li>' for n in range(pages))
    (root / "plain" / "index.html").write_text(f"<!DOCTYPE html><html lang='en'><body><h1>Careers</h1><ul>{links}</ul></body></html>")
    for number in range(pages):
        posting = job(number, "/plain")
        ld = {
            "@context": "https://schema.org", "@type": "JobPosting", "title": posting["title"], "identifier": posting["id"],
            "datePosted": posting["datePosted"], "description": posting["description"],
            "hiringOrganization": {"@type": "Organization", "name": "Benchmark GmbH"},
            "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": posting["location"]["city"],
                                                          "addressCountry": posting["location"]["country"]}},
        }
        (plain / f"job-{number}.html").write_text(
            f"<!DOCTYPE html><html lang='en'><head><script type='application/ld+json'>{json.dumps(ld)}</script></head>"
            f"<body><h1>{posting['title']}</h1><p>{posting['description']}</p></body></html>"
        )
        (spa / f"job-{number}.html").write_text(APP)
        (root / "spa" / "api" / f"job-{number}.json").write_text(json.dumps({"job": job(number, "/spa")}))
    (root / "spa" / "index.html").write_text(APP)
    (root / "spa" / "app.js").write_text(APP_SCRIPT)
    (root / "spa" / "api" / "jobs.json").write_text(
        json.dumps({"jobs": [{"id": str(n), "title": f"Software Engineer {n}"} for n in range(pages)]})
    )


class TimedHandler(SiteHandler):
    """Serves the sites and notes when each request came: a crawl's time is from its first
    request to its last (the process's start-up and the store's summary are the same for both)."""

    times: list[float] = []

    def do_GET(self) -> None:  # noqa: N802
        self.times.append(time.monotonic())
        super().do_GET()


def process_tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def memory_kib(pids: list[int]) -> tuple[int, int]:
    """(PSS, RSS) of these processes, added up, in KiB."""
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:  # ended meanwhile
            continue
    return pss, rss


def crawl(entry: dict, folder: Path) -> dict:
    sources, db = folder / f"{entry['name']}.yml", folder / f"{entry['name']}.db"
    sources.write_text(yaml.safe_dump({"sources": [entry]}))
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--db", str(db), "--quiet",
               "--workers", "1", *CRAWL_SETTINGS]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = [0, 0]

    def sample() -> None:
        while process.poll() is None:
            pss, rss = memory_kib(process_tree(process.pid))
            peaks[0], peaks[1] = max(peaks[0], pss), max(peaks[1], rss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"crawl of {entry['name']} failed:\n{stderr[-2000:]}")
    with sqlite3.connect(db) as connection:
        pages, postings = connection.execute("SELECT pages, postings_seen FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    seconds = TimedHandler.times[-1] - TimedHandler.times[0]
    TimedHandler.times.clear()
    return {"pages": pages, "postings": postings, "seconds": seconds, "pss_mib": peaks[0] / 1024, "rss_mib": peaks[1] / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100, help="postings on each site")
    parser.add_argument("--render-pages", type=int, default=4, help="JOBATLAS_RENDER_PAGES: pages rendered at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_sites(folder / "site", args.pages)
        with serve_site(folder / "site", TimedHandler) as origin:
            global CRAWL_SETTINGS
            CRAWL_SETTINGS = [*CRAWL_SETTINGS, "--set", f"JOBATLAS_RENDER_PAGES={args.render_pages}"]
            results = {
                "plain": crawl({"name": "plain", "url": f"{origin}/plain/"}, folder),
                "rendered": crawl({"name": "rendered", "url": f"{origin}/spa/", "render": True}, folder),
            }
    print(f"{'site':10} {'pages':>5} {'postings':>8} {'seconds':>8} {'pages/s':>8} {'peak PSS MiB':>12} {'peak RSS MiB':>12}")
    for name, result in results.items():
        print(f"{name:10} {result['pages']:5} {result['postings']:8} {result['seconds']:8.2f} "
              f"{result['pages'] / result['seconds']:8.1f} {result['pss_mib']:12.0f} {result['rss_mib']:12.0f}")
    plain, rendered = results["plain"], results["rendered"]
    print(f"a rendered page costs {(plain['pages'] / plain['seconds']) / (rendered['pages'] / rendered['seconds']):.0f}x the time "
          f"of a plain one; the crawl's peak memory (PSS) is {rendered['pss_mib'] / plain['pss_mib']:.1f}x")


if __name__ == "__main__":
    main()
