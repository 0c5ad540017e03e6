"""Throughput: the naive reference pipeline and `jobatlas crawl`, side by side on one synthetic
careers site served from 127.0.0.1.

    python bench/throughput.py [--postings 10000] [--workers N] [--profile] [--skip-naive]

The site (bench/synthetic.py: pages of 15-40 KB in five languages, multi-location postings, a
paginated listing) is written to disk and served by nginx when it is installed (as the issue
measured; `apt-get install nginx-light`), by Twisted's static file server otherwise, in its own
process; its own capacity is measured first, so that it is known not to be the bottleneck.
All crawls use the same concurrency (16 requests per host, no AutoThrottle: a benchmark
measures the crawler, not politeness delays). jobatlas runs twice: in one process, then with
one worker process per core (or `--workers N`), the site split between them (its store told of
an earlier run of the site's size: a careers site is split only once a run has shown it large).
Prints pages/s, postings/s, CPU seconds per 1,000 postings (all processes), peak RSS (of the
largest process), and the ratio jobatlas / naive. `--profile` adds the one-process crawl's top functions by
cumulative time."""

from __future__ import annotations

import argparse
import concurrent.futures
import getpass
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import PER_LISTING_PAGE, listing_page, posting_page  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAME_CONCURRENCY = {"CONCURRENT_REQUESTS_PER_DOMAIN": "16", "AUTOTHROTTLE_ENABLED": "false"}


def settings_arguments(flag: str) -> list[str]:
    """SAME_CONCURRENCY as `scrapy` (-s) or `jobatlas` (--set) arguments."""
    return [part for name, value in SAME_CONCURRENCY.items() for part in (flag, f"{name}={value}")]


# Runs a command and reports the peak RSS of its largest process: RUSAGE_CHILDREN of the
# benchmark itself would keep the maximum over every earlier run.
_PEAK_RSS = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def write_site(root: Path, postings: int) -> None:
    """Static files: /jobs/index.html, /jobs/page-N.html (listing), /jobs/N.html (postings)."""
    (root / "jobs").mkdir(parents=True)
    for page in range(0, (postings + PER_LISTING_PAGE - 1) // PER_LISTING_PAGE):
        html = listing_page(page, postings).replace('href="/jobs/?page=', 'href="/jobs/page-')
        html = html.replace('">Next</a>', '.html">Next</a>').replace(f'page-{page + 1}"', f'page-{page + 1}.html"')
        (root / "jobs" / ("index.html" if page == 0 else f"page-{page}.html")).write_text(html, encoding="utf-8")
    for number in range(postings):
        (root / "jobs" / f"{number}.html").write_text(posting_page(number), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# nginx as the issue measured with, when installed (`apt-get install nginx-light`): a static
# server in C leaves nearly all of both cores to the crawlers; Twisted's otherwise. Its worker
# runs as this user (nginx ignores `user` when not started as root), so it can read the site.
NGINX_CONF = """
daemon off;
user {user};
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
    }}
}}
"""


def serve(root: Path) -> tuple[subprocess.Popen, str, str]:
    """(server process, origin, the server's name) for the static site under `root`."""
    port = free_port()
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")  # Debian's, off a user's PATH
    if nginx:
        conf = root.parent / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=getpass.getuser(), tmp=root.parent, port=port, root=root))
        command, name = [nginx, "-c", str(conf), "-e", str(root.parent / "nginx-error.log")], "nginx"
    else:
        command = [sys.executable, "-m", "twisted", "web", "--path", str(root), "--listen", f"tcp:{port}:interface=127.0.0.1"]
        name = "Twisted's static server"
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(origin + "/jobs/", timeout=1).read()
            return server, origin, name
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the static server ({name}) did not start")


def server_capacity(origin: str, postings: int, seconds: float = 3.0) -> float:
    """Pages/s the server gives 8 plain clients: the crawlers must stay well below it."""
    deadline = time.perf_counter() + seconds

    def fetch_loop(offset: int) -> int:
        count = 0
        while time.perf_counter() < deadline:
            urllib.request.urlopen(f"{origin}/jobs/{(offset + count * 8) % postings}.html", timeout=5).read()
            count += 1
        return count

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return sum(pool.map(fetch_loop, range(8))) / seconds


def measured(command: list[str], cwd: Path = REPO) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of all its processes, peak RSS in MB of the largest) of a command."""
    with tempfile.NamedTemporaryFile("r") as peak:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", _PEAK_RSS, peak.name, *command], cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"{command[2:4]} failed:\n{result.stderr[-3000:]}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, int(peak.read()) // 1024


def said_large(db: Path, source: str, pages: int) -> None:
    """A store that knows `source` from a run of `pages` pages and holds none of its postings: a
    careers site is split between the workers once a run has shown it large (never on its first
    crawl, which might not even be answered), and the postings are all new as on a first crawl."""
    sys.path.insert(0, str(REPO))
    from pipelines.store import Store

    store = Store(db)
    store.finish_run(store.start_run(source), status="complete", pages=pages)
    store.close()


def count_rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def report(label: str, wall: float, cpu: float, rss: int, postings: int) -> float:
    pages = postings + (postings + PER_LISTING_PAGE - 1) // PER_LISTING_PAGE
    print(f"{label:10} {pages / wall:8.0f} pages/s {postings / wall:8.0f} postings/s "
          f"{1000 * cpu / postings:7.1f} CPU s/1,000 postings  peak RSS {rss} MB  ({wall:.1f} s, {postings} stored)")
    return postings / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="for the second jobatlas run")
    parser.add_argument("--profile", action="store_true", help="print jobatlas's top functions by cumulative time")
    parser.add_argument("--skip-naive", action="store_true", help="jobatlas only (memory at large sizes, say)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write_site(tmp_path / "site", args.postings)
        server, origin, server_name = serve(tmp_path / "site")
        try:
            print(f"server alone ({server_name}): {server_capacity(origin, args.postings):.0f} pages/s to 8 plain clients")
            naive = None
            if not args.skip_naive:
                naive_db = tmp_path / "naive.db"
                # Run outside the checkout, so that Scrapy does not load jobatlas's project settings.
                command = [sys.executable, "-m", "scrapy", "runspider", str(REPO / "bench" / "naive_spider.py"),
                           "-a", f"start={origin}/jobs/", "-a", f"db={naive_db}", *settings_arguments("-s")]
                wall, cpu, rss = measured(command, cwd=tmp_path)
                naive = report("naive", wall, cpu, rss, count_rows(naive_db, "jobs"))

            sources = tmp_path / "sources.yml"
            sources.write_text(yaml.safe_dump({"sources": [{"name": "synthetic", "url": origin + "/jobs/"}]}))
            for workers in sorted({1, args.workers}):
                db = tmp_path / f"jobs-{workers}.db"
                if workers > 1:
                    said_large(db, "synthetic", args.postings)
                crawl = [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--db", str(db), "--quiet",
                         "--workers", str(workers), *settings_arguments("--set")]
                if args.profile and workers == 1:
                    crawl = [sys.executable, "-m", "cProfile", "-o", str(tmp_path / "profile"), *crawl[1:]]
                wall, cpu, rss = measured(crawl)
                label = f"jobatlas/{workers}"
                jobatlas = report(label, wall, cpu, rss, count_rows(db, "jobs"))
                if naive:
                    print(f"{label} / naive: {jobatlas / naive:.1f}x")
            if args.profile:
                import pstats

                pstats.Stats(str(tmp_path / "profile")).sort_stats("cumulative").print_stats(30)
                pstats.Stats(str(tmp_path / "profile")).sort_stats("tottime").print_stats(30)
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
