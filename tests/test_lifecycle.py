"""Posting lifecycle over repeated crawls: new, updated (with history), unchanged, closed only on
strong evidence, reopened; never closed because of a failed fetch or a suddenly empty listing."""

from __future__ import annotations

import json
import time

import pytest

from conftest import RecordingHandler, crawl_into, last_run, query

PAST, FUTURE = "2026-01-31", "2031-12-31"


def posting_page(title: str, description: str, city: str, country: str, valid_through: str = FUTURE) -> str:
    data = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": title,
        "description": f"<p>{description}</p>", "datePosted": "2026-10-01", "validThrough": valid_through,
        "hiringOrganization": {"@type": "Organization", "name": "Atelier Nord"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": city, "addressCountry": country}},
    }
    return f'<html lang="en"><head><script type="application/ld+json">{json.dumps(data)}</script></head><body><h1>{title}</h1></body></html>'


BASE_TEXT = (
    "You will join a small team that builds and maintains the tools our customers use every day, "
    "working closely with designers and support staff, with time to learn and room to grow."
)
POSTINGS = {
    "a": ("Backend engineer", BASE_TEXT, "Oslo", "NO"),
    "b": ("Data analyst", BASE_TEXT + " Strong SQL skills matter here.", "Bergen", "NO"),
    "c": ("Office manager", BASE_TEXT + " You keep our Stockholm office running.", "Stockholm", "SE"),
    "d": ("Support specialist", BASE_TEXT + " You answer customers by chat and phone.", "Aarhus", "DK"),
    "e": ("Product designer", BASE_TEXT + " You shape how our product looks and feels.", "Helsinki", "FI"),
    "f": ("Summer intern", BASE_TEXT + " A paid internship over the summer.", "Oslo", "NO"),
    "g": ("Warehouse lead", BASE_TEXT + " You run the night shift in our warehouse.", "Malmö", "SE"),
    "h": ("Driver", BASE_TEXT + " You drive our vans between the warehouses.", "Göteborg", "SE"),
    "i": ("Forklift operator", BASE_TEXT + " You load and unload the lorries.", "Uppsala", "SE"),
}


class ChangingSite(RecordingHandler):
    """Two careers sites on one server (/atelier/ and /board/) whose content depends on `run`."""

    run = 1

    def listed(self, site: str) -> list[str]:
        if site == "atelier":
            return ["a", "b", "c", "d", "f"] if self.run == 1 else ["a", "c", "d", "e", "f"]
        return [] if self.run == 2 else ["g", "h", "i"]

    def page(self, key: str) -> tuple[int, str]:
        title, text, city, country = POSTINGS[key]
        if key == "a" and self.run >= 2:
            title, text = "Senior backend engineer", text + " You also mentor two junior engineers."
        if key == "d" and self.run == 2:
            return 503, "<h1>Service unavailable</h1>"
        if key == "i" and self.run == 3:
            return 404, "<h1>This position has been filled</h1>"
        valid_through = PAST if key == "f" and self.run == 1 else FUTURE
        return 200, posting_page(title, text, city, country, valid_through)

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        parts = self.path.strip("/").split("/")
        if len(parts) == 1 and parts[0] in ("atelier", "board"):
            links = "".join(f'<li><a href="/{parts[0]}/jobs/{key}.html">{POSTINGS[key][0]}</a></li>' for key in self.listed(parts[0]))
            self.send_body(200, f"<html><body><h1>Open positions</h1><ul>{links}</ul></body></html>".encode(), "text/html; charset=utf-8")
        elif len(parts) == 3 and parts[1] == "jobs" and parts[2][0] in self.listed(parts[0]) + ["i"]:
            status, body = self.page(parts[2][0])
            self.send_body(status, body.encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"<h1>Not found</h1>", "text/html; charset=utf-8")


@pytest.fixture(scope="module")
def three_crawls(tmp_path_factory):
    """Crawl both sites three times, the sites changing between runs; yields the store and
    each run's state."""
    from conftest import SITES
    from crawler.sites import serve_site

    tmp = tmp_path_factory.mktemp("lifecycle")
    handler = type("Site", (ChangingSite,), {"requests": []})
    states = []
    with serve_site(SITES / "empty", handler) as origin:
        entries = [{"name": name, "url": f"{origin}/{name}/"} for name in ("atelier", "board")]
        for run in (1, 2, 3):
            handler.run = run
            result, db = crawl_into(tmp, entries, "--set", "RETRY_TIMES=0")
            assert result.returncode == 0, result.stdout + result.stderr
            states.append({
                "jobs": {row["title"]: row for row in query(db, "SELECT * FROM jobs")},
                "runs": {name: last_run(db, name) for name in ("atelier", "board")},
            })
            time.sleep(1.1)  # the store keeps whole seconds: let each run have its own
    yield db, states


def test_first_run_stores_everything_and_closes_the_expired_posting(three_crawls):
    _, states = three_crawls
    first = states[0]
    assert first["runs"]["atelier"]["status"] == "complete"
    assert first["runs"]["atelier"]["postings_new"] == 5
    assert first["jobs"]["Summer intern"]["status"] == "closed"  # validThrough in the past
    assert first["runs"]["atelier"]["postings_closed"] == 1
    assert {title for title, row in first["jobs"].items() if row["status"] == "open"} == {
        "Backend engineer", "Data analyst", "Office manager", "Support specialist", "Warehouse lead", "Driver", "Forklift operator"
    }


def test_a_failed_page_and_an_empty_listing_close_nothing(three_crawls):
    _, states = three_crawls
    second = states[1]
    atelier, board = second["runs"]["atelier"], second["runs"]["board"]
    assert atelier["status"] == "partial" and atelier["problems"]["http_503"] == 1
    assert (atelier["postings_new"], atelier["postings_updated"], atelier["postings_reopened"]) == (1, 1, 1)
    assert atelier["postings_closed"] == 0
    assert second["jobs"]["Data analyst"]["status"] == "open"  # delisted, but the run was partial
    assert second["jobs"]["Support specialist"]["status"] == "open"  # its page answered 503
    assert board["status"] == "partial" and board["problems"]["empty_listing"] == 1 and board["errors"] == 1
    assert all(second["jobs"][title]["status"] == "open" for title in ("Warehouse lead", "Driver", "Forklift operator"))


def test_reopened_posting_keeps_its_history(three_crawls):
    _, states = three_crawls
    first, second = states[0]["jobs"]["Summer intern"], states[1]["jobs"]["Summer intern"]
    assert second["status"] == "open" and second["closed_at"] is None
    assert second["first_seen_at"] == first["first_seen_at"]


def test_a_complete_run_closes_what_it_no_longer_lists(three_crawls):
    _, states = three_crawls
    third = states[2]
    assert third["runs"]["atelier"]["status"] == "complete"
    assert third["runs"]["atelier"]["postings_closed"] == 1
    analyst = third["jobs"]["Data analyst"]
    assert analyst["status"] == "closed" and analyst["closed_at"] >= third["runs"]["atelier"]["started_at"]
    assert third["jobs"]["Support specialist"]["status"] == "open"


def test_a_posting_whose_page_is_gone_is_closed_even_in_a_partial_run(three_crawls):
    _, states = three_crawls
    board = states[2]["runs"]["board"]
    assert board["status"] == "partial" and board["problems"]["http_404"] == 1
    assert states[2]["jobs"]["Forklift operator"]["status"] == "closed"
    assert states[2]["jobs"]["Driver"]["status"] == "open"


def test_changes_are_kept_with_old_and_new_values(three_crawls):
    db, states = three_crawls
    changes = query(db, "SELECT field, old_value, new_value, changed_at FROM job_changes ORDER BY id")
    assert {c["field"] for c in changes} == {"title", "description", "valid_through"}
    title = next(c for c in changes if c["field"] == "title")
    assert (title["old_value"], title["new_value"]) == ("Backend engineer", "Senior backend engineer")
    assert title["changed_at"] >= states[1]["runs"]["atelier"]["started_at"]
    renamed = states[2]["jobs"]["Senior backend engineer"]
    assert renamed["first_seen_at"] == states[0]["jobs"]["Backend engineer"]["first_seen_at"]
    assert len(query(db, "SELECT id FROM jobs")) == 9  # updates in place, never duplicates


def test_search_finds_the_new_text_of_a_changed_posting_and_still_finds_unchanged_ones(three_crawls):
    db, _ = three_crawls

    def found(words: str) -> list[str]:
        sql = "SELECT jobs.title FROM jobs_fts JOIN jobs ON jobs.rowid = jobs_fts.rowid WHERE jobs_fts MATCH ? ORDER BY 1"
        return [row["title"] for row in query(db, sql, words)]

    assert found("mentor junior") == ["Senior backend engineer"]
    assert found('"backend engineer"') == ["Senior backend engineer"]
    # Seen unchanged in three runs (only last_seen_at moved): still indexed, once.
    assert found("vans warehouses") == ["Driver"]
    assert found("chat phone") == ["Support specialist"]
    # FTS5 compares its index with the jobs table, row by row; raises on any difference.
    query(db, "INSERT INTO jobs_fts (jobs_fts) VALUES ('integrity-check')")


class SiteWithBrokenBreadcrumbs(RecordingHandler):
    """A careers site whose posting pages each carry a broken BreadcrumbList block beside their
    good JobPosting block, as real pages often do; it lists `listed`."""

    listed = ["a", "b", "c"]
    broken = '<script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": [,]</script>'

    def do_GET(self) -> None:  # noqa: N802
        parts = self.path.strip("/").split("/")
        if parts == ["jobs"]:
            links = "".join(f'<li><a href="/jobs/{key}.html">{POSTINGS[key][0]}</a></li>' for key in self.listed)
            self.send_body(200, f"<html><body><ul>{links}</ul></body></html>".encode(), "text/html; charset=utf-8")
        elif len(parts) == 2 and parts[1][0] in self.listed:
            page = posting_page(*POSTINGS[parts[1][0]]).replace("<head>", "<head>" + self.broken)
            self.send_body(200, page.encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"<h1>Not found</h1>", "text/html; charset=utf-8")


def test_broken_json_ld_that_hides_no_posting_leaves_the_run_complete_and_closes_what_is_gone(tmp_path, site_server):
    handler = type("Site", (SiteWithBrokenBreadcrumbs,), {})
    with site_server(handler=handler) as (origin, _):
        entries = [{"name": "crumbs", "url": f"{origin}/jobs/"}]
        first, db = crawl_into(tmp_path, entries)
        handler.listed = ["a", "c"]
        time.sleep(1.1)
        second, _ = crawl_into(tmp_path, entries)
    assert first.returncode == 0 and second.returncode == 0, first.stdout + second.stdout
    run = last_run(db, "crumbs")
    assert run["status"] == "complete" and run["errors"] == 0
    assert run["problems"]["bad_json_ld_harmless"] == 2  # reported all the same, with the page's URL
    assert {example["url"].rsplit("/", 1)[-1] for example in run["problem_examples"]} == {"a.html", "c.html"}
    statuses = {row["title"]: row["status"] for row in query(db, "SELECT title, status FROM jobs")}
    assert statuses == {"Backend engineer": "open", "Data analyst": "closed", "Office manager": "open"}
