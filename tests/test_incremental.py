"""Incremental crawls: conditional requests (ETag / Last-Modified → 304) and no rewrites of
unchanged postings."""

from __future__ import annotations

import hashlib

from conftest import SITES, RecordingHandler, crawl_into, last_run, query


class ValidatingSite(RecordingHandler):
    """The faulty fixture site's two good postings and listing, with ETags honoured; `edited`
    changes one posting's text."""

    edited = False
    not_modified: list[str]
    conditional: list[str]

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path not in ("/careers/", "/careers/jobs/dispatcher-rotterdam.html", "/careers/jobs/fleet-planner-hamburg.html"):
            self.send_body(404, b"", "text/html")
            return
        self.requests.append(path)
        file = self.root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        body = file.read_bytes()
        if path == "/careers/":  # only the two good postings
            body = b"".join(line for line in body.splitlines(keepends=True) if b"<li>" not in line or b"rotterdam" in line or b"hamburg" in line)
        if self.edited and "hamburg" in path:
            body = body.replace(b"Hamburger Hafen", b"Hamburger Hafen und in Bremerhaven")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match"):
            self.conditional.append(path)
        if self.headers.get("If-None-Match") == etag:
            self.not_modified.append(path)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_second_crawl_asks_only_for_changes_and_rewrites_nothing_unchanged(site_server, tmp_path):
    handler = type("Site", (ValidatingSite,), {"requests": [], "not_modified": [], "conditional": []})
    entries = [{"name": "harbor", "url": "{origin}/careers/"}]
    with site_server(SITES / "faulty", handler) as (origin, _):
        entries[0]["url"] = origin + "/careers/"
        first, db = crawl_into(tmp_path, entries)
        assert first.returncode == 0, first.stderr
        assert handler.conditional == []
        before = {row["id"]: row for row in query(db, "SELECT * FROM jobs")}

        second, _ = crawl_into(tmp_path, entries)
        assert second.returncode == 0, second.stderr
        # Each posting page once; the listing once per worker that crawled a part of the site.
        postings = ["/careers/jobs/dispatcher-rotterdam.html", "/careers/jobs/fleet-planner-hamburg.html"]
        assert sorted(set(handler.not_modified)) == ["/careers/", *postings]
        assert all(handler.not_modified.count(path) == 1 for path in postings)
        run = last_run(db, "harbor")
        assert (run["status"], run["postings_seen"], run["postings_unchanged"], run["postings_closed"]) == ("complete", 2, 2, 0)
        after = {row["id"]: row for row in query(db, "SELECT * FROM jobs")}
        for job_id, row in after.items():  # only last_seen_at moved
            assert {k: v for k, v in row.items() if k != "last_seen_at"} == {k: v for k, v in before[job_id].items() if k != "last_seen_at"}

        handler.edited = True
        handler.not_modified.clear()
        third, _ = crawl_into(tmp_path, entries)
        assert third.returncode == 0, third.stderr
        assert "/careers/jobs/fleet-planner-hamburg.html" not in handler.not_modified
        run = last_run(db, "harbor")
        assert (run["postings_updated"], run["postings_unchanged"]) == (1, 1)
        change = query(db, "SELECT field, new_value FROM job_changes")
        assert [c["field"] for c in change] == ["description"] and "Bremerhaven" in change[0]["new_value"]
