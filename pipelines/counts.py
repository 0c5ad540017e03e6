"""Open jobs per language and country, counted as the store writes.

"Which countries have open jobs in French, and how many" is asked far more often than postings
are written, and counting it from the postings means reading every open posting of the language
and counting distinct clusters (a job published on two sources counts once): 180 ms on a million
postings. So the store keeps the answer, and SQLite's triggers keep it exact on every write,
whichever code path writes (a new posting, new locations, a closure, a reopening, a language
corrected, two rows linked into one cluster), inside the writer's own transaction.

Two levels, because a cluster counts once however many of its rows are open in a country:
- `cluster_countries`: per cluster, language and country, how many open (row, location) pairs;
- `language_country_counts`: per language and country, how many clusters have at least one.
The same for languages alone (`cluster_languages`, `language_counts`): a posting without any
country still has a language.
"""

from __future__ import annotations

import sqlite_utils

# What the country_languages view answers, read from the kept counts.
COUNTRY_LANGUAGES_VIEW = """
SELECT counts.language AS language,
       counts.country_code AS country_code,
       countries.name AS country,
       counts.jobs AS jobs
FROM language_country_counts AS counts
LEFT JOIN countries ON countries.code = counts.country_code
WHERE counts.jobs > 0
"""

_TABLES = [
    ("CREATE TABLE cluster_countries (cluster_id TEXT NOT NULL, language TEXT NOT NULL, country_code TEXT NOT NULL,"
     " open_rows INTEGER NOT NULL, PRIMARY KEY (cluster_id, language, country_code)) WITHOUT ROWID"),
    ("CREATE TABLE language_country_counts (language TEXT NOT NULL, country_code TEXT NOT NULL, jobs INTEGER NOT NULL,"
     " PRIMARY KEY (language, country_code)) WITHOUT ROWID"),
    ("CREATE TABLE cluster_languages (cluster_id TEXT NOT NULL, language TEXT NOT NULL, open_rows INTEGER NOT NULL,"
     " PRIMARY KEY (cluster_id, language)) WITHOUT ROWID"),
    "CREATE TABLE language_counts (language TEXT PRIMARY KEY, jobs INTEGER NOT NULL) WITHOUT ROWID",
]

# A row counts while it is open and has a language; a location counts when it has a country.
_COUNTS = "{row}.status = 'open' AND {row}.language IS NOT NULL"

_TRIGGERS = [
    # -- a cluster's open rows per language and country ---------------------------------------
    f"""CREATE TRIGGER count_location_added AFTER INSERT ON job_locations WHEN NEW.country_code IS NOT NULL
    BEGIN
      INSERT INTO cluster_countries (cluster_id, language, country_code, open_rows)
      SELECT cluster_id, language, NEW.country_code, 1 FROM jobs WHERE id = NEW.job_id AND {_COUNTS.format(row="jobs")}
      ON CONFLICT DO UPDATE SET open_rows = open_rows + 1;
    END""",
    f"""CREATE TRIGGER count_location_removed AFTER DELETE ON job_locations WHEN OLD.country_code IS NOT NULL
    BEGIN
      UPDATE cluster_countries SET open_rows = open_rows - 1
      WHERE country_code = OLD.country_code AND (cluster_id, language) IN
        (SELECT cluster_id, language FROM jobs WHERE id = OLD.job_id AND {_COUNTS.format(row="jobs")});
    END""",
    # A row opened, closed, relabelled or linked: its locations move from the old key to the new.
    f"""CREATE TRIGGER count_job_changed AFTER UPDATE OF status, language, cluster_id ON jobs
    WHEN OLD.status IS NOT NEW.status OR OLD.language IS NOT NEW.language OR OLD.cluster_id IS NOT NEW.cluster_id
    BEGIN
      UPDATE cluster_countries SET open_rows = open_rows -
        (SELECT COUNT(*) FROM job_locations WHERE job_id = OLD.id AND country_code = cluster_countries.country_code)
      WHERE {_COUNTS.format(row="OLD")} AND cluster_id = OLD.cluster_id AND language = OLD.language
        AND country_code IN (SELECT country_code FROM job_locations WHERE job_id = OLD.id);
      INSERT INTO cluster_countries (cluster_id, language, country_code, open_rows)
      SELECT NEW.cluster_id, NEW.language, country_code, COUNT(*) FROM job_locations
      WHERE job_id = NEW.id AND country_code IS NOT NULL AND {_COUNTS.format(row="NEW")} GROUP BY country_code
      ON CONFLICT DO UPDATE SET open_rows = open_rows + excluded.open_rows;
      UPDATE cluster_languages SET open_rows = open_rows - 1
      WHERE {_COUNTS.format(row="OLD")} AND cluster_id = OLD.cluster_id AND language = OLD.language;
      INSERT INTO cluster_languages (cluster_id, language, open_rows)
      SELECT NEW.cluster_id, NEW.language, 1 WHERE {_COUNTS.format(row="NEW")}
      ON CONFLICT DO UPDATE SET open_rows = open_rows + 1;
    END""",
    # -- a cluster's open rows per language ------------------------------------------------------
    f"""CREATE TRIGGER count_job_added AFTER INSERT ON jobs WHEN {_COUNTS.format(row="NEW")}
    BEGIN
      INSERT INTO cluster_languages (cluster_id, language, open_rows) VALUES (NEW.cluster_id, NEW.language, 1)
      ON CONFLICT DO UPDATE SET open_rows = open_rows + 1;
    END""",
    f"""CREATE TRIGGER count_job_removed AFTER DELETE ON jobs WHEN {_COUNTS.format(row="OLD")}
    BEGIN
      UPDATE cluster_languages SET open_rows = open_rows - 1 WHERE cluster_id = OLD.cluster_id AND language = OLD.language;
    END""",
    # -- a cluster starts or stops counting --------------------------------------------------------
    """CREATE TRIGGER count_cluster_country_added AFTER INSERT ON cluster_countries WHEN NEW.open_rows > 0
    BEGIN
      INSERT INTO language_country_counts (language, country_code, jobs) VALUES (NEW.language, NEW.country_code, 1)
      ON CONFLICT DO UPDATE SET jobs = jobs + 1;
    END""",
    """CREATE TRIGGER count_cluster_country_changed AFTER UPDATE OF open_rows ON cluster_countries
    WHEN (OLD.open_rows > 0) != (NEW.open_rows > 0)
    BEGIN
      INSERT INTO language_country_counts (language, country_code, jobs)
      VALUES (NEW.language, NEW.country_code, CASE WHEN NEW.open_rows > 0 THEN 1 ELSE -1 END)
      ON CONFLICT DO UPDATE SET jobs = jobs + excluded.jobs;
    END""",
    """CREATE TRIGGER count_cluster_language_added AFTER INSERT ON cluster_languages WHEN NEW.open_rows > 0
    BEGIN
      INSERT INTO language_counts (language, jobs) VALUES (NEW.language, 1) ON CONFLICT DO UPDATE SET jobs = jobs + 1;
    END""",
    """CREATE TRIGGER count_cluster_language_changed AFTER UPDATE OF open_rows ON cluster_languages
    WHEN (OLD.open_rows > 0) != (NEW.open_rows > 0)
    BEGIN
      INSERT INTO language_counts (language, jobs) VALUES (NEW.language, CASE WHEN NEW.open_rows > 0 THEN 1 ELSE -1 END)
      ON CONFLICT DO UPDATE SET jobs = jobs + excluded.jobs;
    END""",
]


def keep_counts(db: sqlite_utils.Database) -> None:
    """Create the kept counts from the postings stored now, and the triggers that keep them."""
    for statement in _TABLES:
        db.execute(statement)
    open_rows = _COUNTS.format(row="jobs")
    db.execute(
        "INSERT INTO cluster_countries (cluster_id, language, country_code, open_rows)"
        " SELECT jobs.cluster_id, jobs.language, job_locations.country_code, COUNT(*)"
        " FROM jobs JOIN job_locations ON job_locations.job_id = jobs.id"
        f" WHERE {open_rows} AND job_locations.country_code IS NOT NULL GROUP BY 1, 2, 3"
    )
    db.execute(
        "INSERT INTO language_country_counts (language, country_code, jobs)"
        " SELECT language, country_code, COUNT(*) FROM cluster_countries GROUP BY 1, 2"
    )
    db.execute(
        "INSERT INTO cluster_languages (cluster_id, language, open_rows)"
        f" SELECT cluster_id, language, COUNT(*) FROM jobs WHERE {open_rows} GROUP BY 1, 2"
    )
    db.execute("INSERT INTO language_counts (language, jobs) SELECT language, COUNT(*) FROM cluster_languages GROUP BY 1")
    for statement in _TRIGGERS:
        db.execute(statement)
    db.execute("DROP VIEW country_languages")
    db.create_view("country_languages", COUNTRY_LANGUAGES_VIEW)
