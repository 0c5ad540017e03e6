"""A board census: thousands of ATS boards, most of them on a few API hosts, in one crawl.

    python bench/census.py [--boards 5000] [--latency 0.25] [--per-host 4] [--workers N]
                           [--set NAME=VALUE ...]

The boards are Greenhouse, Lever and Ashby boards on three API hosts (one port of 127.0.0.1
each: the crawler keys its per-host allowance by host and port), and a tenth of them Recruitee
and Workable boards spread over twenty small hosts, in the answer shapes of bench/boards.py.
Their sizes are drawn like real boards': most list 1-10 postings, some dozens, a few hundred,
one in a hundred 500 or more. Every answer waits `--latency` seconds before it is sent, as a
real API's would, so that the crawl is bound by what each host's allowance permits and not by
the CPU: with `--per-host` requests at once on a host, the crawl cannot end before the busiest
host has answered all its requests, `--per-host` at a time (the floor printed beside the wall
time).

The crawl runs once (`jobatlas crawl`, AutoThrottle off, CONCURRENT_REQUESTS_PER_DOMAIN
`--per-host`). Printed: rows stored against postings generated (exit status 1 unless equal),
the most requests each host ever had in flight (never above `--per-host`), requests per host
(robots.txt apart), peak RSS of the largest process and peak open file descriptors of all the
crawl's processes (sampled every 0.2 s), CPU seconds, and the wall time against the floor.
The load average is printed too: on a shared machine the wall time stretches with it."""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from boards import (  # noqa: E402
    LEVER_PAGE_SIZE,
    ashby_board,
    greenhouse_board,
    lever_postings,
    recruitee_board,
    workable_board,
)
from throughput import REPO, count_rows  # noqa: E402

API_KINDS = ["greenhouse", "lever", "ashby"]
SMALL_HOSTS = 20


def board_size(rng: random.Random) -> int:
    """Postings on a board, drawn like real boards': mostly a handful, rarely hundreds."""
    draw = rng.random()
    if draw < 0.65:
        return rng.randint(1, 10)
    if draw < 0.92:
        return rng.randint(11, 50)
    if draw < 0.99:
        return rng.randint(51, 200)
    return rng.randint(500, 1000)


def gzipped(data: Any) -> bytes:
    return gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), compresslevel=1, mtime=0)


def generate(boards: int) -> tuple[list[dict[str, Any]], dict[tuple[int, str], bytes], Counter, Counter]:
    """(sources with endpoints relative to their host, as {host: n, ...}; gzipped answers by
    (host, path and query); postings expected by language; requests expected per host)."""
    sources, answers, languages, requests = [], {}, Counter(), Counter()
    for number in range(boards):
        rng = random.Random(5000 + number)
        size = board_size(rng)
        slug = f"board{number}"
        company = f"Board {number} Ltd"
        first_id = 10_000_000 + number * 2000
        if number % 10 == 9:  # a tenth on small hosts
            host = len(API_KINDS) + (number // 10) % SMALL_HOSTS
            kind = "recruitee" if number % 20 == 9 else "workable"
        else:
            host = number % len(API_KINDS)
            kind = API_KINDS[host]
        if kind == "greenhouse":
            path = f"/v1/boards/{slug}/jobs?content=true&pay_transparency=true"
            answers[(host, path)] = gzipped(greenhouse_board(rng, slug, company, size, first_id, languages))
            url = f"https://boards.greenhouse.io/{slug}"
        elif kind == "lever":
            postings = lever_postings(rng, slug, company, size, first_id, languages)
            for skip in range(0, len(postings) + 1, LEVER_PAGE_SIZE):  # the spider stops on a short page
                page = postings[skip : skip + LEVER_PAGE_SIZE]
                answers[(host, f"/v0/postings/{slug}?mode=json&skip={skip}&limit={LEVER_PAGE_SIZE}")] = gzipped(page)
                requests[host] += 1
                if len(page) < LEVER_PAGE_SIZE:
                    break
            requests[host] -= 1  # counted once more below
            path, url = f"/v0/postings/{slug}?mode=json", f"https://jobs.lever.co/{slug}"
        elif kind == "ashby":
            path = f"/posting-api/job-board/{slug}?includeCompensation=true"
            answers[(host, path)] = gzipped(ashby_board(rng, slug, company, size, first_id, languages))
            url = f"https://jobs.ashbyhq.com/{slug}"
        elif kind == "recruitee":
            path = f"/{slug}/api/offers/"
            answers[(host, path)] = gzipped(recruitee_board(rng, slug, company, size, first_id, languages))
            url = f"https://{slug}.recruitee.com/"
        else:
            path = f"/api/v1/widget/accounts/{slug}?details=true"
            answers[(host, path)] = gzipped(workable_board(rng, slug, company, size, first_id, languages))
            url = f"https://apply.workable.com/{slug}/"
        requests[host] += 1
        sources.append({"name": f"{kind}-{slug}", "url": url, "kind": kind, "endpoint": path, "host": host})
    return sources, answers, languages, requests


class CensusHandler(BaseHTTPRequestHandler):
    """Answers one host's boards after `latency` seconds; counts what it has in flight."""

    protocol_version = "HTTP/1.1"
    host: int
    answers: dict[tuple[int, str], bytes]
    latency: float
    in_flight: Any  # multiprocessing arrays, one slot per host
    most_in_flight: Any
    served: Any
    robots: Any

    def do_GET(self) -> None:  # noqa: N802
        with self.in_flight.get_lock():
            self.in_flight[self.host] += 1
            self.most_in_flight[self.host] = max(self.most_in_flight[self.host], self.in_flight[self.host])
        try:
            time.sleep(self.latency)
            self._answer()
        finally:
            with self.in_flight.get_lock():
                self.in_flight[self.host] -= 1

    def _answer(self) -> None:
        if self.path == "/robots.txt":
            with self.robots.get_lock():
                self.robots[self.host] += 1
            self._send(b"User-agent: *\nDisallow:\n", "text/plain", None)
            return
        with self.served.get_lock():
            self.served[self.host] += 1
        path, _, query = self.path.partition("?")
        if "mode=json" in query:  # Lever pages, however the spider orders its parameters
            params = parse_qs(query)
            query = f"mode=json&skip={params.get('skip', ['0'])[0]}&limit={params.get('limit', [LEVER_PAGE_SIZE])[0]}"
        body = self.answers.get((self.host, f"{path}?{query}" if query else path))
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(body, "application/json; charset=utf-8", "gzip")

    def _send(self, body: bytes, content_type: str, encoding: str | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(hosts: int, answers: dict[tuple[int, str], bytes], latency: float) -> tuple[multiprocessing.Process, list[int], dict[str, Any]]:
    """One ThreadingHTTPServer per host (a port of 127.0.0.1 each), in a forked child process:
    (the process, the ports, the shared counters)."""
    context = multiprocessing.get_context("fork")
    counters = {name: context.Array("q", hosts) for name in ("in_flight", "most_in_flight", "served", "robots")}
    servers = []
    for host in range(hosts):
        handler = type(f"Host{host}", (CensusHandler,), {"host": host, "answers": answers, "latency": latency, **counters})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.request_queue_size = 256
        servers.append(server)

    def serve_all() -> None:
        for server in servers[1:]:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[0].serve_forever()

    process = context.Process(target=serve_all, daemon=True)
    process.start()
    ports = [server.server_address[1] for server in servers]
    for server in servers:
        server.socket.close()  # the child listens; the parent keeps no copy
    return process, ports, counters


def crawl_processes(pid: int) -> list[int]:
    """The crawl's process and its children (the workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def watch(pid: int, peaks: dict[str, int], done: threading.Event) -> None:
    """Peak RSS (MB, of the largest process) and peak open file descriptors (of all together)."""
    while not done.wait(0.2):
        fds = 0
        for process in crawl_processes(pid):
            try:
                fds += len(os.listdir(f"/proc/{process}/fd"))
                status = Path(f"/proc/{process}/status").read_text()
            except OSError:
                continue
            rss = int(status.split("VmRSS:")[1].split()[0]) // 1024 if "VmRSS:" in status else 0
            peaks["rss"] = max(peaks["rss"], rss)
        peaks["fds"] = max(peaks["fds"], fds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds every answer waits")
    parser.add_argument("--per-host", type=int, default=4, help="CONCURRENT_REQUESTS_PER_DOMAIN")
    parser.add_argument("--workers", type=int, help="passed on to `jobatlas crawl --workers` (default: not passed)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--profile", metavar="FILE", help="run the crawl under cProfile, its statistics written to FILE")
    args = parser.parse_args()

    started = time.perf_counter()
    sources, answers, languages, requests = generate(args.boards)
    expected = sum(languages.values())
    hosts = len(API_KINDS) + SMALL_HOSTS
    print(
        f"generated: {args.boards} boards, {expected} postings, {sum(requests.values())} board requests, "
        f"{sum(map(len, answers.values())) / 1e6:.0f} MB gzipped, in {time.perf_counter() - started:.1f} s"
    )
    server, ports, counters = serve(hosts, answers, args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sources_file, db = Path(tmp) / "sources.yml", Path(tmp) / "jobs.db"
            for source in sources:
                source["endpoint"] = f"http://127.0.0.1:{ports[source.pop('host')]}{source['endpoint']}"
            sources_file.write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")
            command = [
                sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources_file), "--db", str(db), "--quiet",
                "--set", "AUTOTHROTTLE_ENABLED=false", "--set", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.per_host}",
            ]
            for override in args.overrides:
                command += ["--set", override]
            if args.workers is not None:
                command += ["--workers", str(args.workers)]
            if args.profile:
                command[1:2] = ["-m", "cProfile", "-o", str(Path(args.profile).resolve()), "-m"]

            peaks = {"rss": 0, "fds": 0}
            done = threading.Event()
            before = os.times()
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            watcher = threading.Thread(target=watch, args=(process.pid, peaks, done), daemon=True)
            watcher.start()
            stdout, stderr = process.communicate()
            wall = time.perf_counter() - started
            done.set()
            after = os.times()
            cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
            if process.returncode not in (0, 1) or not db.exists():
                sys.exit(f"the crawl failed (exit {process.returncode}):\n{stderr[-3000:]}")
            rows = count_rows(db, "jobs")
    finally:
        server.terminate()
        server.join()

    busiest = max(range(hosts), key=lambda host: requests[host])
    floor = requests[busiest] * args.latency / args.per_host
    print(f"rows stored: {rows} of {expected} postings generated")
    print(
        "most requests in flight per host: "
        + ", ".join(f"{n}" for n in counters["most_in_flight"][:])
        + f" (allowance {args.per_host})"
    )
    print(
        "board requests per host (expected): "
        + ", ".join(f"{counters['served'][host]} ({requests[host]})" for host in range(hosts))
        + f"; robots.txt requests: {sum(counters['robots'][:])}"
    )
    print(f"peak RSS {peaks['rss']} MB (largest process), peak open fds {peaks['fds']} (all processes), {cpu:.1f} CPU s")
    print(
        f"wall {wall:.1f} s; the per-host allowance permits {floor:.1f} s "
        f"(busiest host: {requests[busiest]} requests x {args.latency} s / {args.per_host}): {wall / floor:.2f}x"
    )
    print("load average: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    if rows != expected or max(counters["most_in_flight"][:]) > args.per_host:
        sys.exit("FAIL: " + ("not every posting stored" if rows != expected else "a host had more requests in flight than allowed"))


if __name__ == "__main__":
    main()
