"""The analyst's questions through the real `jobatlas` commands, on a store written through the
store's own write path over several days: filters, `--at` a past date, and exports."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import run_cli

from crawler.items import JobPosting
from pipelines.store import Store, stable_id

# (key, source, company, language, countries, workplace, employment type)
POSTINGS = [
    ("a", "lumiere", "Maison Lumière", "fr", ["FR"], "onsite", "FULL_TIME"),
    ("b", "lumiere", "Maison Lumière", "fr", ["BE", "FR"], "hybrid", "FULL_TIME"),
    ("c", "lumiere", "Maison Lumière", "en", ["CA"], "remote", "CONTRACTOR"),
    ("d", "nordwerk", "Nordwerk GmbH", "de", ["DE", "AT"], "onsite", "FULL_TIME"),
    ("e", "nordwerk", "Nordwerk GmbH", "fr", ["CH"], "remote", "PART_TIME"),
    ("f", "solmar", "Solmar Viajes", "fr", ["FR"], "onsite", "INTERN"),  # closed on 2026-10-10
]


def posting(key, source, company, language, countries, workplace, employment_type) -> JobPosting:
    return JobPosting(
        source=source, key=key, url=f"https://{source}.example/jobs/{key}", title=f"Poste {key}", company=company,
        language=language, workplace=workplace, employment_type=employment_type, description=f"Description {key}",
        resolved_locations=[{"country_code": code, "city": None, "raw": code} for code in countries],
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("queries") / "jobs.db"
    store = Store(db)
    store.save_postings([posting(*row) for row in POSTINGS[:2] + POSTINGS[3:]], seen_at="2026-10-01T08:00:00+00:00")
    store.save_postings([posting(*POSTINGS[2])], seen_at="2026-10-15T08:00:00+00:00")  # first seen later
    store.close_postings([stable_id("solmar", "f")], closed_at="2026-10-10T12:00:00+00:00")
    store.close()
    return db


def answer(store, *args):
    result = run_cli(*args, "--db", str(store), "--format", "json")
    assert result.returncode == 0, result.stderr
    return {row.get("country_code") or row.get("language_code"): row["jobs"] for row in json.loads(result.stdout)}


def test_filters_combine(store):
    assert answer(store, "countries", "--lang", "fr") == {"FR": 2, "BE": 1, "CH": 1}
    assert answer(store, "countries", "--lang", "fr", "--company", "maison lumière") == {"FR": 2, "BE": 1}
    assert answer(store, "countries", "--lang", "fr", "--source", "nordwerk", "--source", "lumiere") == {"FR": 2, "BE": 1, "CH": 1}
    assert answer(store, "countries", "--lang", "fr", "--workplace", "remote") == {"CH": 1}
    assert answer(store, "countries", "--lang", "fr", "--employment-type", "full_time", "--workplace", "hybrid") == {"BE": 1, "FR": 1}
    assert answer(store, "languages", "--country", "FR", "--company", "Maison Lumière") == {"fr": 2}
    assert answer(store, "languages", "--workplace", "remote") == {"en": 1, "fr": 1}


def test_at_a_past_date(store):
    # On 2026-10-05 the intern posting was still open and the Canadian one not yet seen.
    assert answer(store, "countries", "--lang", "fr", "--at", "2026-10-05") == {"FR": 3, "BE": 1, "CH": 1}
    assert answer(store, "languages", "--at", "2026-10-05") == {"fr": 4, "de": 1}
    assert answer(store, "languages", "--at", "2026-10-20") == {"fr": 3, "de": 1, "en": 1}
    assert answer(store, "languages", "--at", "2026-09-01") == {}
    result = run_cli("languages", "--at", "yesterday", "--db", str(store))
    assert result.returncode == 2 and "--at" in result.stderr


@pytest.mark.parametrize("output_format", ["csv", "jsonl", "parquet"])
def test_export_round_trip(store, tmp_path, output_format):
    path = tmp_path / f"jobs.{output_format}"
    result = run_cli("export", "--format", output_format, "-o", str(path), "--db", str(store), "--all")
    assert result.returncode == 0, result.stderr
    assert "Wrote 6 postings" in result.stderr
    if output_format == "csv":
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
    elif output_format == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        import pyarrow.parquet as parquet

        rows = parquet.read_table(path).to_pylist()
    by_key = {row["url"].rsplit("/", 1)[1]: row for row in rows}
    assert set(by_key) == {"a", "b", "c", "d", "e", "f"}
    assert by_key["b"]["countries"] == "BE | FR" and by_key["b"]["company"] == "Maison Lumière"
    assert by_key["f"]["status"] == "closed"
    open_only = run_cli("export", "--format", "csv", "-o", str(tmp_path / "open.csv"), "--db", str(store), "--company", "Nordwerk GmbH")
    assert "Wrote 2 postings" in open_only.stderr


def test_trend_per_period_matches_the_day_by_day_answers(store):
    result = run_cli("trend", "--lang", "fr", "--by", "day", "--since", "2026-10-08", "--db", str(store), "--format", "json")
    assert result.returncode == 0, result.stderr
    daily = json.loads(result.stdout)
    by_day: dict[str, dict[str, int]] = {}
    for row in daily:
        by_day.setdefault(row["period"], {})[row["country_code"]] = row["jobs"]
    assert by_day["2026-10-09"] == {"FR": 3, "BE": 1, "CH": 1}  # the intern posting still open
    assert by_day["2026-10-10"] == {"FR": 2, "BE": 1, "CH": 1}  # closed that day
    for day in ("2026-10-09", "2026-10-12", "2026-11-20"):  # each day's trend is that day's --at answer
        assert by_day[day] == answer(store, "countries", "--lang", "fr", "--at", day)
    assert max(by_day) == "2026-11-20"  # up to today (the tests' clock)

    weekly = run_cli("trend", "--lang", "fr", "--country", "FR", "--by", "week", "--since", "2026-09-28",
                     "--db", str(store), "--format", "json")
    assert [(row["period"], row["jobs"]) for row in json.loads(weekly.stdout)][:3] == [
        ("2026-10-04", 3), ("2026-10-11", 2), ("2026-10-18", 2),
    ]
