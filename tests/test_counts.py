"""The counts the store keeps as it writes (pipelines/counts.py) against the same questions
counted from the postings themselves, after any sequence of writes: new postings, changed
locations and languages, closures, reopenings, duplicates linked and unlinked."""

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.items import JobPosting
from pipelines import counts
from pipelines.queries import Filters, countries_for_language, languages_for_country
from pipelines.store import Store

# Counted from the postings: what the kept counts must always equal.
COUNTED_COUNTRIES = """
SELECT jobs.language AS language, job_locations.country_code AS country_code, COUNT(DISTINCT jobs.cluster_id) AS jobs
FROM jobs JOIN job_locations ON job_locations.job_id = jobs.id
WHERE jobs.status = 'open' AND jobs.language IS NOT NULL AND job_locations.country_code IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2
"""
COUNTED_LANGUAGES = """
SELECT language, COUNT(DISTINCT cluster_id) AS jobs FROM jobs WHERE status = 'open' AND language IS NOT NULL
GROUP BY 1 ORDER BY 1
"""

CITIES = {"FR": "Lyon", "CH": "Genève", "BE": "Liège", "CA": "Montréal"}
# One company's jobs on its careers page and its board: same titles and places link them.
a_posting = st.fixed_dictionaries({
    "source": st.sampled_from(["atelier-site", "atelier-board"]),
    "number": st.integers(0, 5),
    "title": st.sampled_from(["Horloger", "Horlogère senior", "Polisseur"]),
    "language": st.sampled_from(["fr", "fr", "de", None]),
    "countries": st.lists(st.sampled_from([*CITIES, None]), max_size=3),
})
a_step = st.one_of(
    st.tuples(st.just("save"), st.lists(a_posting, min_size=1, max_size=6)),
    st.tuples(st.just("close"), st.lists(st.integers(0, 5), max_size=3), st.sampled_from(["atelier-site", "atelier-board"])),
    st.tuples(st.just("link")),
)


def posting(fields: dict) -> JobPosting:
    places = [{"country_code": code, "city": CITIES.get(code), "raw": CITIES.get(code, "Ailleurs")} for code in fields["countries"]]
    return JobPosting(
        source=fields["source"], key=f"job-{fields['number']}", url=f"https://{fields['source']}.example/jobs/{fields['number']}",
        ats="careers_site" if fields["source"] == "atelier-site" else "greenhouse", company="Atelier Horloger SA",
        title=fields["title"], language=fields["language"], resolved_locations=places,
    )


def kept_counts(db: sqlite3.Connection) -> tuple[list, list]:
    countries = db.execute("SELECT language, country_code, jobs FROM country_languages ORDER BY 1, 2").fetchall()
    languages = db.execute("SELECT language, jobs FROM language_counts WHERE jobs > 0 ORDER BY 1").fetchall()
    return countries, languages


def counted(db: sqlite3.Connection) -> tuple[list, list]:
    return db.execute(COUNTED_COUNTRIES).fetchall(), db.execute(COUNTED_LANGUAGES).fetchall()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(a_step, min_size=1, max_size=8))
def test_kept_counts_equal_the_counted_answer_after_any_writes(tmp_path_factory, steps):
    store = Store(tmp_path_factory.mktemp("counts") / "jobs.db")
    try:
        for step in steps:
            if step[0] == "save":
                store.save_postings([posting(fields) for fields in step[1]])
            elif step[0] == "close":
                ids = [row[0] for row in store.db.execute(
                    "SELECT id FROM jobs WHERE source = ? ORDER BY id", [step[2]]).fetchall()]
                store.close_postings([ids[n] for n in step[1] if n < len(ids)])
            else:
                store.link_duplicates()
            assert kept_counts(store.db.conn) == counted(store.db.conn), step
    finally:
        store.close()


def test_the_plain_questions_read_the_kept_counts_and_agree_with_the_filtered_path(tmp_path):
    store = Store(tmp_path / "jobs.db")
    site = [{"source": "atelier-site", "number": n, "title": "Horloger", "language": "fr", "countries": ["FR", "CH"]} for n in range(3)]
    board = [dict(fields, source="atelier-board") for fields in site]  # the same three jobs on the board
    store.save_postings([posting(fields) for fields in site + board])
    store.save_postings([posting({"source": "atelier-board", "number": 9, "title": "Polisseur", "language": "de",
                                  "countries": ["CH"]})])
    store.link_duplicates()
    db = store.db.conn
    # Open at the end of a day far ahead: every open posting, but through the counting path.
    everything = Filters(at="2999-12-31")
    assert countries_for_language(db, "fr") == [
        {"country_code": "CH", "country": "Switzerland", "jobs": 3}, {"country_code": "FR", "country": "France", "jobs": 3},
    ]
    assert countries_for_language(db, "fr", count_rows=True)[0]["jobs"] == 6
    assert countries_for_language(db, "fr") == countries_for_language(db, "fr", everything)
    assert languages_for_country(db, "CH") == languages_for_country(db, "CH", everything) == [
        {"language_code": "fr", "language": "French", "jobs": 3}, {"language_code": "de", "language": "German", "jobs": 1},
    ]
    assert languages_for_country(db) == languages_for_country(db, None, everything)
    store.close()


def test_counts_are_made_from_the_postings_of_a_store_written_before_they_were_kept(tmp_path):
    store = Store(tmp_path / "jobs.db")
    store.save_postings([posting({"source": source, "number": n, "title": "Horloger", "language": language, "countries": ["FR", "BE"]})
                         for source in ("atelier-site", "atelier-board") for n in range(4) for language in ("fr",)])
    store.link_duplicates()
    store.close_postings([store.db.execute("SELECT id FROM jobs ORDER BY id LIMIT 1").fetchone()[0]])
    expected = counted(store.db.conn)
    db = store.db
    with store.writing():  # the store as an older version left it: no kept counts, the counting view
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'count_%'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        for table in ("cluster_countries", "language_country_counts", "cluster_languages", "language_counts"):
            db.execute(f"DROP TABLE {table}")
        counts.keep_counts(db)
    assert kept_counts(db.conn) == expected
    assert expected[0] and expected[1]
    store.close()


# Mostly French postings with a country, closed as often as saved: what a trend counts.
a_french_posting = a_posting.map(lambda fields: {**fields, "language": "de" if fields["language"] == "de" else "fr"}).filter(
    lambda fields: any(fields["countries"])
)
a_closure = st.tuples(
    st.just("close"), st.lists(st.integers(0, 5), min_size=1, max_size=3), st.sampled_from(["atelier-site", "atelier-board"]),
    st.integers(1, 8),
)
a_dated_step = st.one_of(
    st.tuples(st.just("save"), st.lists(a_french_posting, min_size=1, max_size=6), st.integers(1, 8)),
    a_closure,
    a_closure,
    st.tuples(st.just("link")),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(a_dated_step, min_size=1, max_size=8), count_rows=st.booleans(), country=st.sampled_from([None, "FR"]))
def test_a_trend_is_each_day_s_answer_at_that_day(tmp_path_factory, steps, count_rows, country):
    """`trend` reads the postings once and counts every period from that read: each day of it
    must be what `countries --at` that day answers, whatever was seen, closed, reopened and
    linked on which days."""
    from datetime import date

    from pipelines.queries import trend

    store = Store(tmp_path_factory.mktemp("trend") / "jobs.db")
    try:
        for step in steps:
            if step[0] == "save":
                store.save_postings([posting(fields) for fields in step[1]], seen_at=f"2026-10-0{step[2]}T12:00:00+00:00")
            elif step[0] == "close":
                ids = [row[0] for row in store.db.execute("SELECT id FROM jobs WHERE source = ? ORDER BY id", [step[2]])]
                store.close_postings([ids[n] for n in step[1] if n < len(ids)], closed_at=f"2026-10-0{step[3]}T18:00:00+00:00")
            else:
                store.link_duplicates()
        days = [date(2026, 9, 30)] + [date(2026, 10, day) for day in range(1, 10)]
        expected = [
            {"period": day.isoformat(), "country_code": row["country_code"], "jobs": row["jobs"]}
            for day in days
            for row in countries_for_language(store.db.conn, "fr", Filters(at=day.isoformat()), count_rows)
            if country is None or row["country_code"] == country
        ]
        assert trend(store.db.conn, "fr", days[0], days[-1], "day", country, count_rows=count_rows) == expected
    finally:
        store.close()
