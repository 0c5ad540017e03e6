"""A synthetic careers site for benchmarks: N posting pages of realistic weight in several
languages, a paginated listing, ETag / 304 support; generated in memory and served on 127.0.0.1."""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

PER_LISTING_PAGE = 50

# One paragraph per language: postings repeat and shuffle them to reach a realistic length.
PROSE = {
    "en": "We are looking for an experienced engineer to join our team. You will design, build and run services used by customers every day, work closely with product and support, and help us improve how we work.",
    "fr": "Nous recherchons une personne expérimentée pour rejoindre notre équipe. Vous concevrez et ferez fonctionner des services utilisés chaque jour par nos clients, en lien étroit avec les équipes produit et support.",
    "de": "Wir suchen eine erfahrene Person für unser Team. Sie entwickeln und betreiben Dienste, die unsere Kundinnen und Kunden täglich nutzen, und arbeiten eng mit Produkt und Support zusammen.",
    "es": "Buscamos una persona con experiencia para unirse a nuestro equipo. Diseñarás y mantendrás servicios que nuestros clientes usan cada día y trabajarás de cerca con los equipos de producto y soporte.",
    "pt": "Procuramos uma pessoa experiente para integrar a nossa equipa. Vai desenhar e manter serviços usados todos os dias pelos nossos clientes e trabalhar de perto com as equipas de produto e apoio.",
}
PLACES = [("Paris", "FR"), ("Lyon", "France"), ("Berlin", "DE"), ("München", "Deutschland"), ("Madrid", "ES"),
          ("Lisboa", "PT"), ("Bruxelles", "Belgique"), ("Zürich", "CH"), ("London", "UK"), ("Austin, TX", "US")]
CHROME = "<nav>" + " ".join(f'<a href="/about/{n}">Section {n}</a>' for n in range(40)) + "</nav>"
FOOTER = "<footer>" + "<p>We use cookies to improve your experience. Read our privacy policy.</p>" * 30 + "</footer>"
# What makes real careers pages weigh 15-40 KB: the site's stylesheet and an application state
# blob inlined in every page.
STYLE = "<style>" + "".join(f".c{n}{{margin:{n % 7}px;padding:{n % 5}px;color:#{n:06x}}}" for n in range(120)) + "</style>"


def app_state(rng: random.Random) -> str:
    """An inline script of 2-25 KB, as single-page careers sites ship their state in the page."""
    entries = [{"id": rng.randrange(10**9), "slug": f"team-{rng.randrange(10**6)}", "visible": rng.random() < 0.5}
               for _ in range(rng.randint(40, 380))]
    return f"<script>window.__APP_STATE__ = {json.dumps({'teams': entries})};</script>"


def posting_page(number: int, edition: int = 0) -> str:
    rng = random.Random(number)
    language = list(PROSE)[number % len(PROSE)]
    sentences = [PROSE[language]] * rng.randint(8, 20)
    places = rng.sample(PLACES, rng.choice([1, 1, 1, 2]))
    data = {
        "@context": "https://schema.org", "@type": "JobPosting",
        "title": f"{language.upper()} engineer {number}" + (f" (v{edition})" if edition else ""),
        "description": "".join(f"<p>{sentence}</p>" for sentence in sentences),
        "identifier": {"@type": "PropertyValue", "value": f"JOB-{number}"},
        "datePosted": "2026-10-01", "validThrough": "2031-12-31", "employmentType": "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": "Synthetic Corp"},
        "jobLocation": [{"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": city, "addressCountry": country}}
                        for city, country in places],
        "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR", "value": {"@type": "QuantitativeValue", "minValue": 50000, "maxValue": 70000, "unitText": "YEAR"}},
    }
    body = "".join(f"<p>{sentence}</p>" for sentence in sentences)
    return (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{data["title"]}</title>{STYLE}'
            f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script></head>'
            f"<body>{CHROME}<main><h1>{data['title']}</h1>{body}</main>{FOOTER}{app_state(rng)}</body></html>")


def listing_page(page: int, postings: int) -> str:
    first = page * PER_LISTING_PAGE
    links = "".join(f'<li><a href="/jobs/{n}.html">Job {n}</a></li>' for n in range(first, min(first + PER_LISTING_PAGE, postings)))
    next_link = f'<a rel="next" href="/jobs/?page={page + 1}">Next</a>' if first + PER_LISTING_PAGE < postings else ""
    return f"<!doctype html><html><body>{CHROME}<ul>{links}</ul>{next_link}{FOOTER}</body></html>"


class SyntheticSite(BaseHTTPRequestHandler):
    postings = 1000
    edition = 0  # bump to change every posting's title
    protocol_version = "HTTP/1.1"
    counts: dict[str, int]

    def do_GET(self) -> None:  # noqa: N802
        path, _, query = self.path.partition("?")
        if path == "/jobs/":
            page = int(query.removeprefix("page=") or 0) if query.startswith("page=") or not query else 0
            body = listing_page(page, self.postings)
        elif path.startswith("/jobs/") and path.endswith(".html") and path[6:-5].isdigit() and int(path[6:-5]) < self.postings:
            body = posting_page(int(path[6:-5]), self.edition)
        else:
            self._send(404, b"")
            return
        data = body.encode("utf-8")
        etag = '"' + hashlib.md5(data).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.counts["304"] = self.counts.get("304", 0) + 1
            self._send(304, b"", etag)
            return
        self.counts["200"] = self.counts.get("200", 0) + 1
        self._send(200, data, etag)

    def _send(self, status: int, data: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_synthetic(postings: int) -> Iterator[tuple[str, type[SyntheticSite]]]:
    handler = type("Site", (SyntheticSite,), {"postings": postings, "counts": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
