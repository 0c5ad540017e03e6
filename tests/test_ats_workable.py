"""Workable boards: the job widget API served on 127.0.0.1 from fixtures in its real shape,
crawled by the real `jobatlas crawl`; the mapper on single job dicts."""

from __future__ import annotations

import pytest
from conftest import SITES, ats_fixture, countries_json, crawl_into, last_run, query, stored_postings

from crawler.sources import Source
from crawler.spiders.workable import WorkableSpider, listing_url, merged_jobs

FIXTURES = SITES / "ats" / "workable"
FAST = ("--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=10", "--workers", "1")  # no route is slow: roomy for a loaded machine
WIDGET = "/api/v1/widget/accounts/fjordlight"


def spider() -> WorkableSpider:
    return WorkableSpider(source=Source(name="fjordlight", url="https://apply.workable.com/fjordlight/"))


# -- end to end ---------------------------------------------------------------------------------


def test_board_is_crawled_field_by_field(api_server, tmp_path):
    with api_server({f"GET {WIDGET}": (200, ats_fixture("workable", "board.json"))}) as (origin, requests):
        # No `kind`: detected from the board URL; `endpoint` points the crawl at the local API.
        result, db = crawl_into(
            tmp_path,
            [{"name": "fjordlight", "url": "https://apply.workable.com/fjordlight/", "endpoint": f"{origin}{WIDGET}?details=true"}],
            *FAST,
        )
    assert result.returncode == 0, result.stderr
    api_calls = [(r.method, r.path, r.query) for r in requests if r.path != "/robots.txt"]
    assert api_calls == [("GET", WIDGET, {"details": ["true"]})]  # the whole board in one request

    rows = stored_postings(db)
    assert set(rows) == {"4F1A9C2B7D:en", "8B3E5D0A61:fr", "2C7D8E9F10:de", "9A0B1C2D3E:en", "5E6F7A8B9C:es"}
    assert {row["ats"] for row in rows.values()} == {"workable"}
    # The widget states no language: every one is told from the posting's own text.
    assert {row["language_method"] for row in rows.values()} == {"detected"}
    assert {row["company"] for row in rows.values()} == {"Fjordlight Studios"}

    engineer = rows["4F1A9C2B7D:en"]
    assert engineer["title"] == "Senior Backend Engineer, Render Farm"
    assert engineer["url"] == "https://apply.workable.com/j/4F1A9C2B7D"
    assert engineer["apply_url"] == "https://apply.workable.com/j/4F1A9C2B7D/apply"
    assert engineer["department"] == "Engineering"
    assert (engineer["employment_type"], engineer["workplace"]) == ("FULL_TIME", "onsite")
    assert engineer["date_posted"] == "2026-09-14"
    # Two listed places; the one the board hides (Oslo) is left out.
    assert [(loc["city"], loc["region"], loc["country_code"], loc["remote"]) for loc in engineer["locations"]] == [
        ("Berlin", "Berlin", "DE", 0), ("Lisbon", "Lisbon", "PT", 0),
    ]
    # Description, requirements and benefits make the text; tags are gone from the plain text.
    assert engineer["description"].startswith("Our render farm turns thousands of animation frames")
    assert "Comfort with queues, retries and noisy hardware" in engineer["description"]
    assert engineer["description"].endswith("a yearly trip to the studio in Oslo.")
    assert "<" not in engineer["description"]
    assert "<li>Several years of backend work in Go or Rust</li>" in engineer["description_html"]
    assert engineer["salary_min"] is None and engineer["translation_group"] == engineer["id"]

    french = rows["8B3E5D0A61:fr"]
    assert french["title"] == "Ingénieure commerciale grands comptes"
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in french["locations"]] == [("Paris", "Île-de-France", "FR")]
    assert french["description"].startswith("Vous accompagnez les grands studios")

    student = rows["2C7D8E9F10:de"]  # `full_description` instead of the three sections
    assert (student["employment_type"], student["date_posted"]) == ("PART_TIME", "2026-08-20")
    assert student["description"].startswith("Du unterstützt unser Marketingteam")

    remote = rows["9A0B1C2D3E:en"]
    assert (remote["workplace"], remote["employment_type"]) == ("remote", "CONTRACTOR")
    assert [(loc["city"], loc["country_code"], loc["remote"]) for loc in remote["locations"]] == [(None, "GB", 1)]

    # An older board lists the job once per place: one row, both places.
    analyst = rows["5E6F7A8B9C:es"]
    assert [(loc["city"], loc["region"], loc["country_code"]) for loc in analyst["locations"]] == [
        ("Madrid", "Community of Madrid", "ES"), ("Barcelona", "Catalonia", "ES"),
    ]
    assert query(db, "SELECT COUNT(*) AS n FROM jobs") == [{"n": 5}]

    assert (last_run(db, "fjordlight")["status"], last_run(db, "fjordlight")["problems"]) == ("complete", {})
    assert [(r["country_code"], r["jobs"]) for r in countries_json(db, "en")] == [("DE", 1), ("GB", 1), ("PT", 1)]
    assert [(r["country_code"], r["country"], r["jobs"]) for r in countries_json(db, "es")] == [("ES", "Spain", 1)]


def test_bad_boards_are_reported_and_do_not_stop_the_others(api_server, tmp_path):
    routes = {
        "GET /api/v1/widget/accounts/empty": (200, {"name": "Empty Ltd", "description": None, "jobs": []}),
        "GET /api/v1/widget/accounts/garbled": (200, (FIXTURES / "garbled.json").read_text(), {"Content-Type": "application/json"}),
        "GET /api/v1/widget/accounts/busy": (429, {"error": "Too Many Requests"}),
        "GET /api/v1/widget/accounts/shapeless": (200, [{"title": "a list, not a board"}]),
        "GET /api/v1/widget/accounts/odd": (200, ats_fixture("workable", "odd.json")),
    }
    names = ["missing", "empty", "garbled", "busy", "shapeless", "odd"]
    with api_server(routes) as (origin, _):
        entries = [
            {"name": f"wk-{name}", "url": f"https://apply.workable.com/{name}/", "endpoint": f"{origin}/api/v1/widget/accounts/{name}?details=true"}
            for name in names
        ]
        result, db = crawl_into(tmp_path, entries, *FAST)

    assert result.returncode == 1  # a source failed as a whole
    runs = {name: last_run(db, f"wk-{name}") for name in names}
    assert {name: run["status"] for name, run in runs.items()} == {
        "missing": "failed", "empty": "complete", "garbled": "failed", "busy": "failed", "shapeless": "failed", "odd": "complete",
    }
    assert runs["missing"]["problems"] == {"http_404": 1}
    assert (runs["empty"]["problems"], runs["empty"]["errors"]) == ({"no_postings_found": 1}, 0)
    assert runs["garbled"]["problems"] == {"bad_json": 1}
    assert runs["busy"]["problems"] == {"http_429": 1}
    assert runs["shapeless"]["problems"] == {"bad_json": 1}

    # Numbers where strings belong are coerced, nulls skipped, entries without a shortcode dropped.
    odd = query(db, "SELECT * FROM jobs WHERE source = 'wk-odd'")
    assert [(row["title"], row["external_id"], row["company"], row["employment_type"], row["workplace"]) for row in odd] == [
        ("2027", "31337", "42", "TEMPORARY", None),
    ]
    assert query(db, "SELECT COUNT(*) AS n FROM job_locations WHERE job_id = ?", odd[0]["id"]) == [{"n": 0}]
    assert odd[0]["url"] == "https://apply.workable.com/odd/j/31337/"


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board_url", "expected"),
    [
        ("https://apply.workable.com/fjordlight/", "https://apply.workable.com/api/v1/widget/accounts/fjordlight?details=true"),
        ("https://apply.workable.com/fjordlight/j/4F1A9C2B7D/", "https://apply.workable.com/api/v1/widget/accounts/fjordlight?details=true"),
        ("https://apply.workable.com/j/4F1A9C2B7D", None),  # a short link names no account
        ("https://apply.workable.com/", None),
        ("https://fjordlight.com/careers", None),
    ],
)
def test_listing_url_from_board_url(board_url, expected):
    assert listing_url(board_url) == expected


def test_mapper_on_one_job():
    job = {
        "title": "Pipeline TD",
        "shortcode": "ABCDEF1234",
        "employment_type": "Internship",
        "telecommuting": True,
        "department": "Pipeline",
        "published_on": "2026-10-01",
        "created_at": "2026-09-30",
        "city": "Oslo",
        "state": "Oslo",
        "country": "Norway",
        "description": "<p>Scripts.</p>",
        "requirements": "<p>Python.</p>",
    }
    posting = spider().job_posting(job)
    assert (posting.key, posting.external_id, posting.title, posting.department) == ("ABCDEF1234", "ABCDEF1234", "Pipeline TD", "Pipeline")
    assert posting.url == "https://apply.workable.com/fjordlight/j/ABCDEF1234/"  # none given: built from the board
    assert posting.description_html == "<p>Scripts.</p>\n<p>Python.</p>"
    assert (posting.employment_type_raw, posting.workplace_raw, posting.date_posted_raw) == ("Internship", "remote", "2026-10-01")
    assert [(loc.city, loc.region, loc.country, loc.remote) for loc in posting.locations] == [("Oslo", "Oslo", "Norway", True)]
    assert posting.stated_language is None and posting.translation_key is None and posting.country_hint is None
    assert posting.company is None  # the source names none, and the job alone does not either
    assert spider().job_posting({"title": "no shortcode"}) is None


def test_repeated_entries_are_one_job():
    jobs = [{"shortcode": "A", "city": "Madrid"}, {"shortcode": "B"}, {"shortcode": "A", "city": "Sevilla"}, "junk", {"title": "x"}]
    assert {code: [entry.get("city") for entry in entries] for code, entries in merged_jobs(jobs).items()} == {
        "A": ["Madrid", "Sevilla"], "B": [None],
    }
