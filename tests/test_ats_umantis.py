"""Umantis boards: listing pages and vacancy pages served on 127.0.0.1 in their real HTML shape
and crawled by the real `jobatlas crawl`: paging until a page brings nothing new, JSON-LD and
text-only vacancies, language versions; the URL forms."""

from __future__ import annotations

import pytest
from conftest import SITES, crawl_into, last_run, stored_postings

from crawler.spiders.umantis import listing_url

CRAWL_SETTINGS = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")
FIXTURES = SITES / "ats" / "umantis"
BOARD = "https://recruitingapp-2998.umantis.com/Jobs/All?lang=ger"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(name: str) -> tuple:
    return 200, (FIXTURES / name).read_text(encoding="utf-8"), HTML


def listing(request):
    """Page 2 when asked for it; page 1 otherwise - also past the end, as Umantis does."""
    return page("listing-p2.html" if request.query.get("tc1152481") == ["p2"] else "listing-p1.html")


def board_routes(prefix: str = "") -> dict:
    return {
        f"GET {prefix}/Jobs/All": listing,
        "GET /Jobs/All": listing,
        **{f"GET /Vacancies/{v}/Description/{n}": page(f"vacancy-{v}-{n}.html") for v, n in (("451", 1), ("454", 3), ("328", 1), ("328", 2))},
    }


def test_board_is_crawled_page_by_page(api_server, tmp_path):
    with api_server(board_routes()) as (origin, requests):
        result, db = crawl_into(tmp_path, [{"name": "lindenau", "url": BOARD, "endpoint": f"{origin}/Jobs/All?lang=ger"}], *CRAWL_SETTINGS)
    assert result.returncode == 0, result.stderr
    listings = [r.query.get("tc1152481", ["p1"])[0] for r in requests if r.path == "/Jobs/All"]
    assert listings == ["p1", "p2", "p3"]  # p3 shows page 1 again: nothing new, the end

    rows = stored_postings(db)
    assert set(rows) == {"451:de", "454:fr", "328:de", "328:en"}
    nurse = rows["451:de"]
    assert (nurse["title"], nurse["url"], nurse["apply_url"], nurse["date_posted"]) == (
        "Pflegefachfrau/Pflegefachmann HF 80-100%",
        "https://recruitingapp-2998.umantis.com/Vacancies/451/Description/1",
        "https://recruitingapp-2998.umantis.com/Vacancies/451/Application/CheckLogin/1",
        "2025-05-12",
    )
    assert [(loc["city"], loc["country_code"]) for loc in nurse["locations"]] == [("Bern", "CH")]
    assert nurse["ats"] == "umantis" and "Einarbeitung" in nurse["description"]

    infirmier = rows["454:fr"]  # an older board: text only
    assert (infirmier["title"], infirmier["language"]) == ("Infirmier·ère diplômé·e 80%", "fr")
    assert "médecine interne" in infirmier["description"]

    # One vacancy in two languages: two postings, one translation group.
    german, english = rows["328:de"], rows["328:en"]
    assert english["url"].endswith("/Vacancies/328/Description/2") and english["title"] == "Resident physician rheumatology 100%"
    assert german["translation_group"] == english["translation_group"] != rows["451:de"]["translation_group"]

    run = last_run(db, "lindenau")
    assert (run["status"], run["problems"]) == ("complete", {})


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    empty = (FIXTURES / "listing-p1.html").read_text(encoding="utf-8").split("<tbody>")[0] + "<tbody></tbody></table></div></body></html>"
    routes = {
        **board_routes("/good"),  # its pager links /Jobs/All: served too
        "GET /empty/Jobs/All": (200, empty, HTML),
        "GET /parked/Jobs/All": (200, "<html><body>Domain parked</body></html>", HTML),
        "GET /blank/Jobs/All": (200, "<a href='/Vacancies/9/Description/1'>Koch/Köchin</a>", HTML),
        "GET /Vacancies/9/Description/1": (200, "<html lang='de'><body><p>Diese Stelle ist nicht mehr verfügbar.</p></body></html>", HTML),
    }
    names = ["missing", "empty", "parked", "blank", "good"]
    with api_server(routes) as (origin, _):
        entries = [{"name": f"um-{name}", "url": f"https://recruitingapp-{100 + i}.umantis.com/Jobs/All", "endpoint": f"{origin}/{name}/Jobs/All"}
                   for i, name in enumerate(names)]
        result, db = crawl_into(tmp_path, entries, *CRAWL_SETTINGS)
    assert result.returncode == 1
    runs = {name: last_run(db, f"um-{name}") for name in names}
    assert {name: (run["status"], run["problems"]) for name, run in runs.items()} == {
        "missing": ("failed", {"http_404": 1}),
        "empty": ("complete", {"no_postings_found": 1}),
        "parked": ("failed", {"bad_posting": 1}),
        "blank": ("partial", {"bad_posting": 1, "no_postings_found": 1}),
        "good": ("complete", {}),
    }
    assert f"{origin}/parked/Jobs/All" in str(runs["parked"]["problem_examples"])
    assert "/Vacancies/9/Description/1" in str(runs["blank"]["problem_examples"])


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        (BOARD, BOARD),
        ("https://recruitingapp-2998.umantis.com/Jobs/1?lang=eng&DesignID=00", "https://recruitingapp-2998.umantis.com/Jobs/All?lang=eng"),
        ("https://recruitingapp-5545.de.umantis.com/Vacancies/438/Description/1", "https://recruitingapp-5545.de.umantis.com/Jobs/All"),
        ("https://www.umantis.com/de/", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected
