"""How far the careers-site spider follows links: every next page of a long listing, but only a
bounded number of hops into the site - and a run that hit the bound closes nothing."""

from __future__ import annotations

import json

from conftest import RecordingHandler, crawl_into, last_run, query

LISTING_PAGES = 12


class DeepSite(RecordingHandler):
    """/jobs/?page=N: 12 listing pages of one posting each, joined by rel=next; and /teams/a/b/c...:
    a chain of sub-listings, one posting at its far end."""

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        path, _, query_string = self.path.partition("?")
        if path == "/jobs/":
            page = int(query_string.removeprefix("page=") or 1)
            next_link = f'<a rel="next" href="/jobs/?page={page + 1}">Next</a>' if page < LISTING_PAGES else ""
            body = f'<a href="/jobs/{page}.html">Job {page}</a>{next_link}<a href="/jobs/teams/0/">Teams</a>'
        elif path.startswith("/jobs/teams/"):
            level = int(path.rstrip("/").rsplit("/", 1)[1])
            body = f'<a href="/jobs/teams/{level + 1}/">Deeper</a>' if level < 8 else '<a href="/jobs/far.html">Far job</a>'
        elif path.endswith(".html"):
            data = {"@type": "JobPosting", "title": f"Job {path}", "description": "<p>Pack parcels in our depot.</p>"}
            body = f'<script type="application/ld+json">{json.dumps(data)}</script>'
        else:
            self.send_body(404, b"", "text/html")
            return
        self.send_body(200, f"<html><body>{body}</body></html>".encode(), "text/html; charset=utf-8")


def test_every_next_page_is_followed_but_hops_are_bounded(site_server, tmp_path):
    handler = type("Deep", (DeepSite,), {"requests": []})
    with site_server(handler=handler) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "deep", "url": origin + "/jobs/"}])
    assert result.returncode == 0, result.stderr
    titles = {row["title"] for row in query(db, "SELECT title FROM jobs")}
    assert titles == {f"Job /jobs/{page}.html" for page in range(1, LISTING_PAGES + 1)}
    assert "/jobs/far.html" not in requests
    run = last_run(db, "deep")
    assert run["problems"]["depth_limit"] == 1
    assert run["status"] == "partial"  # the listing may go on past the bound: nothing is closed
