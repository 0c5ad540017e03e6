"""Serve static careers sites on 127.0.0.1: the offline demo, and the tests' fixture sites.

Each site directory is the web root of its own server (so robots.txt and sitemaps work as on a
real host). In text files the placeholder `{{base}}` becomes the server's origin, since absolute
URLs in sitemaps and hreflang must name the port the server happened to get; `{{next_year}}`
becomes the year after the clock's, so that the demo's `validThrough` dates never pass.
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from pipelines.clock import now

TEXT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}


class SiteHandler(BaseHTTPRequestHandler):
    """Serves files under `root`; `/dir/` means `/dir/index.html`. Subclasses add routes."""

    root: Path
    server_version = "jobatlas-sites/1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        path = unquote(urlsplit(self.path).path)
        if path.endswith("/"):
            path += "index.html"
        file = (self.root / path.lstrip("/")).resolve()
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            self.send_body(404, b"<h1>Not found</h1>", "text/html; charset=utf-8")
            return
        body = file.read_bytes()
        content_type = TEXT_TYPES.get(file.suffix)
        if content_type:
            body = body.replace(b"{{base}}", self.base_url.encode())
            body = body.replace(b"{{next_year}}", str(now().year + 1).encode())
        else:
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        self.send_body(200, body, content_type)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def send_body(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a crawl makes hundreds of requests; the crawler reports what matters


@contextlib.contextmanager
def serve_site(root: Path, handler: type[SiteHandler] = SiteHandler) -> Iterator[str]:
    """Serve `root` on a free 127.0.0.1 port for the duration of the block; yields the origin."""
    handler_class = type(handler.__name__, (handler,), {"root": Path(root)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
