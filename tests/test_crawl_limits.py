"""Where the careers-site spider goes: every next page of a long listing, a bounded number of hops
into the site (a run that hit the bound closes nothing), and on to the ATS board a page embeds."""

from __future__ import annotations

import json

from conftest import SITES, RecordingHandler, crawl_into, last_run, query

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


def test_an_ats_board_embedded_in_a_careers_page_is_crawled_too(site_server, api_server, tmp_path):
    board = json.loads((SITES / "ats" / "greenhouse" / "board.json").read_text(encoding="utf-8"))
    site = tmp_path / "site"
    (site / "careers").mkdir(parents=True)
    (site / "careers" / "index.html").write_text(
        '<h1>Join Harborline</h1><div id="grnhse_app"></div>'
        '<script src="https://boards.greenhouse.io/embed/job_board/js?for=harborline"></script>'
    )
    with api_server({"GET /v1/boards/harborline/jobs": (200, board)}) as (api, _), site_server(site) as (origin, _):
        endpoints = json.dumps({"https://boards.greenhouse.io/harborline": f"{api}/v1/boards/harborline/jobs"})
        result, db = crawl_into(tmp_path, [{"name": "harborline", "url": origin + "/careers/"}],
                                "--set", f"JOBATLAS_ENDPOINTS={endpoints}")
    assert result.returncode == 0, result.stderr
    assert last_run(db, "harborline")["problems"]["ats_board_found"] == 1
    followed = last_run(db, "harborline.greenhouse")
    assert followed["status"] == "complete" and followed["postings_seen"] == len(board["jobs"])
    sources = {row["source"] for row in query(db, "SELECT DISTINCT source FROM jobs")}
    assert sources == {"harborline.greenhouse"}
