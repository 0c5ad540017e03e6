"""Datasette plugin, loaded by `jobatlas serve` from this folder: each count of open jobs in the
country-per-language answers (the country_languages view, the canned queries) links to the
postings it counts: the jobs table filtered by that row's language, country and company.

A count counts a job published on several sources once; the postings page lists each source's row."""

from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

# The jobs table's filters → the columns of a row that give their value (the first present: a
# row may have the language's code and its name).
_FILTERS = {"language": ("language_code", "language"), "_country": ("country_code",), "company": ("company",)}


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if column != "jobs" or table not in (None, "country_languages") or not isinstance(value, int):
        return None
    columns = set(row.keys())
    filters = {}
    for name, sources in _FILTERS.items():
        present = [row[column] for column in sources if column in columns and row[column] is not None]
        if present:
            filters[name] = present[0]
    if not {"language", "_country"} <= set(filters):
        return None
    url = datasette.urls.table(database, "jobs") + "?" + urlencode({**filters, "status": "open"})
    return Markup(f'<a href="{escape(url)}">{value}</a>')
