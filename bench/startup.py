"""Start-up: how long `jobatlas crawl` takes from being launched to its first request.

    python bench/startup.py [--runs 7] [--workers N]

A small Greenhouse board (5 postings) is served from 127.0.0.1 by a thread of this process,
which notes when the first request (the host's robots.txt) arrives; `jobatlas crawl` is
launched on it `--runs` times, each into a fresh store. Prints, per run and as the median: the
wall time from launch to the first request and the CPU seconds the crawl's processes had used by
then, then the same for the whole crawl; then the load average: on a loaded machine the wall
time stretches, the CPU time much less. Target: first request within 1 s."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]

BOARD = {
    "jobs": [
        {
            "id": 7_000_000 + number,
            "title": f"Backend Engineer {number}",
            "absolute_url": f"https://boards.greenhouse.io/startup/jobs/{7_000_000 + number}",
            "updated_at": "2026-11-02T10:00:00-04:00",
            "location": {"name": "Lyon, France"},
            "language": "fr",
            "content": "&lt;p&gt;Nous recherchons une ingénieure ou un ingénieur pour notre équipe à Lyon."
            " Vous concevez nos services et suivez leur mise en production.&lt;/p&gt;",
        }
        for number in range(5)
    ],
    "meta": {"total": 5},
}


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (a crawl's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # itself, or its ppid is the crawl
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    crawl: dict[str, Any]  # the crawl's pid; then when its first request came, and its CPU by then

    def do_GET(self) -> None:  # noqa: N802
        if "first_request" not in self.crawl:
            self.crawl["first_request"] = time.perf_counter()
            self.crawl["cpu"] = tree_cpu(self.crawl["pid"])
        body = b"User-agent: *\nDisallow:\n" if self.path == "/robots.txt" else json.dumps(BOARD).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def one_run(origin: str, crawl: dict[str, Any], workers: int | None) -> tuple[float, float, float, float]:
    """(seconds to the first request, CPU seconds by then, seconds to the end, CPU seconds) of one crawl."""
    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.yml"
        source = {
            "name": "startup",
            "url": "https://boards.greenhouse.io/startup",
            "kind": "greenhouse",
            "endpoint": f"{origin}/v1/boards/startup/jobs?content=true",
        }
        sources.write_text(yaml.safe_dump({"sources": [source]}))
        command = [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--db", f"{tmp}/jobs.db", "--quiet"]
        if workers is not None:
            command += ["--workers", str(workers)]
        crawl.clear()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        crawl["pid"] = process.pid
        stdout, stderr = process.communicate()
        ended = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if process.returncode != 0 or "first_request" not in crawl:
            sys.exit(f"the crawl failed (exit {process.returncode}):\n{stdout}\n{stderr[-3000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return crawl["first_request"] - started, crawl["cpu"], ended - started, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workers", type=int, help="passed on to `jobatlas crawl --workers` (default: not passed)")
    args = parser.parse_args()
    crawl: dict[str, Any] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Board", (Handler,), {"crawl": crawl}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    runs = []
    try:
        for number in range(args.runs):
            runs.append(one_run(origin, crawl, args.workers))
            print("run {}: first request after {:.2f} s ({:.2f} CPU s), done after {:.2f} s ({:.2f} CPU s)".format(number + 1, *runs[-1]))
    finally:
        server.shutdown()
    medians = (statistics.median(values) for values in zip(*runs))
    print("median: first request after {:.2f} s ({:.2f} CPU s), done after {:.2f} s ({:.2f} CPU s)".format(*medians))
    print("load average: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
