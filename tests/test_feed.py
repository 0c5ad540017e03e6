"""Job feeds as a source kind: an RSS and an Atom feed of postings served on 127.0.0.1 and crawled
by the real `jobatlas crawl`; the feed detected by `sources detect`."""

from __future__ import annotations

from conftest import SITES, crawl_into, last_run, query, run_cli

FEEDS = SITES / "feeds"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}


def test_rss_and_atom_feeds_are_crawled_and_bad_ones_reported(api_server, tmp_path):
    routes = {
        "GET /emplois.rss": (200, (FEEDS / "jobs.rss").read_text(encoding="utf-8"), RSS),
        "GET /empleo.atom": (200, (FEEDS / "jobs.atom").read_text(encoding="utf-8"), ATOM),
        "GET /broken.rss": (200, "<rss><channel><item><title>cut", RSS),
        "GET /page.html": (200, "<html><body>not a feed</body></html>", {"Content-Type": "text/html"}),
    }
    with api_server(routes) as (origin, _):
        entries = [
            {"name": name, "url": f"{origin}{path}", "kind": "feed"}
            for name, path in [("lac", "/emplois.rss"), ("iriarte", "/empleo.atom"), ("broken", "/broken.rss"), ("html", "/page.html")]
        ]
        result, db = crawl_into(tmp_path, entries, "--set", "RETRY_TIMES=0")
    assert result.returncode == 1  # the broken feeds failed as a whole
    rows = {row["title"]: row for row in query(db, "SELECT * FROM jobs")}
    assert set(rows) == {"Brasseur / Brasseuse (80-100 %)", "Servicemitarbeiter/in Biergarten", "Soldador/a TIG"}
    brewer, server, welder = rows["Brasseur / Brasseuse (80-100 %)"], rows["Servicemitarbeiter/in Biergarten"], rows["Soldador/a TIG"]
    # The channel declares fr-CH; the German item's own text says otherwise, and wins.
    assert (brewer["language"], server["language"], welder["language"]) == ("fr", "de", "es")
    assert brewer["url"] == "https://brasseriedulac.example/emplois/brasseur" and brewer["department"] == "Production"
    assert brewer["date_posted"] == "2026-10-06T06:00:00+00:00" and welder["date_posted"] == "2026-10-01T09:00:00+00:00"
    assert brewer["employment_type"] == "FULL_TIME"
    places = {row["title"]: (row["city"], row["country_code"]) for row in query(
        db, "SELECT j.title, l.city, l.country_code FROM job_locations l JOIN jobs j ON j.id = l.job_id")}
    assert places == {
        "Brasseur / Brasseuse (80-100 %)": ("Lausanne", "CH"),
        "Servicemitarbeiter/in Biergarten": ("Zürich", "CH"),
        "Soldador/a TIG": ("Bilbao", "ES"),
    }
    assert last_run(db, "lac")["problems"] == {"bad_posting": 1}  # the item with neither link nor id
    assert (last_run(db, "broken")["status"], list(last_run(db, "broken")["problems"])) == ("failed", ["bad_xml"])
    assert last_run(db, "html")["problems"] == {"bad_xml": 1}


def test_sources_detect_recognises_a_feed(api_server):
    routes = {"GET /jobs.xml": (200, (FEEDS / "jobs.atom").read_text(encoding="utf-8"), ATOM)}
    with api_server(routes) as (origin, _):
        result = run_cli("sources", "detect", f"{origin}/jobs.xml")
    assert result.stdout.splitlines() == [f"feed\t{origin}/jobs.xml"]
