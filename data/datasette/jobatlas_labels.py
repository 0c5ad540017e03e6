"""Datasette plugin, loaded by `jobatlas serve` from this folder: codes shown by their names, and
the jobs table faceted and filtered by country although countries live in job_locations.

Datasette labels a code only through a foreign key, and the store keeps country and language
codes without one (a foreign key on jobs.language would turn a page's odd `lang="xx"` into a
failed insert). The metadata's "jobatlas-labels" section maps a column to a lookup table with
`code` and `name` columns instead; this plugin labels from it:
- table cells: `de` shows as "German de", linked to the languages row;
- facet type "labelled": a column facet whose values show as names;
- facet type "through", metadata `{"through": {"table": "job_locations", "column":
  "country_code", "name": "country"}}` on jobs: postings counted by a column of a table that
  points at them, a posting offered in two countries counting once in each. Picking a value adds
  `?_country=CH`, which this plugin's filter turns into "offered in CH". (Datasette's own
  `?_through=` filter names its SQL parameter p0 like the first column filter does, so with
  `?language=de` beside it 0.65 binds both to one value and answers nothing.)
"""

# No `from __future__ import annotations`: Datasette loads this file outside sys.modules, where
# dataclasses would look string annotations up.
from dataclasses import dataclass
from typing import Any

from datasette import hookimpl
from datasette.app import Datasette
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet, Facet
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import BadRequest
from markupsafe import Markup, escape

FacetResults = tuple[list[dict[str, Any]], list[str]]


def _lookups(datasette: Datasette) -> dict[str, str]:
    return datasette.plugin_config("jobatlas-labels") or {}


async def _names(datasette: Datasette, database: str, column: str, codes: list[Any]) -> dict[Any, str]:
    """Names of the codes of a labelled column ({} when the column is not labelled)."""
    lookup = _lookups(datasette).get(column)
    codes = sorted({code for code in codes if code is not None}, key=str)
    if lookup is None or not codes:
        return {}
    placeholders = ", ".join("?" * len(codes))
    sql = f"select code, name from {escape_sqlite(lookup)} where code in ({placeholders})"
    return dict((await datasette.get_database(database).execute(sql, codes)).rows)


@dataclass(frozen=True)
class Through:
    """A through facet of a table, checked against the schema."""

    name: str  # what the facet is called, and its query parameter: ?_country=CH
    table: str  # the table that points at ours (job_locations)
    column: str  # its column we count by (country_code)
    key: str  # its column that points at ours (job_id)
    our_key: str  # the column of ours it points at (id)

    @property
    def parameter(self) -> str:
        return f"_{self.name}"

    def condition(self, placeholder: str) -> str:
        return (
            f"{escape_sqlite(self.our_key)} in (select {escape_sqlite(self.key)} from {escape_sqlite(self.table)}"
            f" where {escape_sqlite(self.column)} = :{placeholder})"
        )


async def _throughs(datasette: Datasette, database: str, table: str | None) -> list[Through]:
    """The through facets the metadata gives this table. Their table and column go into SQL, so
    they are checked against the schema: a wrong one is a clear error, not a broken query."""
    configs = [
        facet["through"]
        for facet in (datasette.table_metadata(database, table) if table else {}).get("facets", [])
        if isinstance(facet, dict) and "through" in facet
    ]
    db = datasette.get_database(database)
    throughs = []
    for config in configs:
        keys = [fk for fk in await db.foreign_keys_for_table(config["table"]) if fk["other_table"] == table]
        if not keys or config["column"] not in await db.table_columns(config["table"]):
            raise BadRequest(f"through facet: {config['table']}.{config['column']} does not point at {table}")
        name = config.get("name") or config["column"]
        throughs.append(Through(name, config["table"], config["column"], keys[0]["column"], keys[0]["other_column"]))
    return throughs


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [LabelledFacet, ThroughFacet]


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Datasette) -> Any:
    async def offered_in() -> FilterArguments:
        where, params, descriptions = [], {}, []
        for through in await _throughs(datasette, database, table):
            values = request.args.getlist(through.parameter)
            names = await _names(datasette, database, through.column, values)
            for value in values:
                placeholder = f"jobatlas_through_{len(params)}"
                where.append(through.condition(placeholder))
                params[placeholder] = value
                descriptions.append(f'{through.name} is "{names.get(value, value)}"')
        return FilterArguments(where, params, descriptions)

    return offered_in


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Datasette) -> Any:
    lookup = _lookups(datasette).get(column)
    # Query results are left alone: the canned queries select names themselves.
    if lookup is None or table in (None, lookup) or not isinstance(value, str):
        return None

    async def labelled() -> Markup | None:
        name = (await _names(datasette, database, column, [value])).get(value)
        if name is None:
            return None
        url = datasette.urls.row(database, lookup, value)
        return Markup(f'<a href="{escape(url)}">{escape(name)}</a>&nbsp;<em>{escape(value)}</em>')

    return labelled


class LabelledFacet(ColumnFacet):
    """A column facet (metadata `{"labelled": "language"}`) whose values show by their names."""

    type = "labelled"

    async def suggest(self) -> list[dict[str, Any]]:
        return []  # Datasette's column facet suggests columns already

    async def facet_results(self) -> FacetResults:
        results, timed_out = await super().facet_results()
        for facet in results:
            names = await _names(self.ds, self.database, facet["name"], [v["value"] for v in facet["results"]])
            for value in facet["results"]:
                value["label"] = names.get(value["value"], value["value"])
            facet["type"] = "column"  # it is one, so its heading reads "language", not "language (labelled)"
        return results, timed_out


class ThroughFacet(Facet):
    """Counts rows by a column of a table that points at them (see the module's docstring)."""

    type = "through"

    async def facet_results(self) -> FacetResults:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        for through in await _throughs(self.ds, self.database, self.table):
            try:
                results.append(await self._facet(through))
            except QueryInterrupted:
                timed_out.append(through.name)
        return results, timed_out

    async def _facet(self, through: Through) -> dict[str, Any]:
        size = self.get_facet_size()
        sql = f"""
            select {escape_sqlite(through.column)} as value, count(distinct {escape_sqlite(through.key)}) as count
            from {escape_sqlite(through.table)}
            where {escape_sqlite(through.key)} in (select {escape_sqlite(through.our_key)} from ({self.sql}))
              and {escape_sqlite(through.column)} is not null
            group by value order by count desc, value limit {size + 1}
        """
        rows = await self.ds.execute(
            self.database, sql, self.params, truncate=False,
            custom_time_limit=self.ds.setting("facet_time_limit_ms"),
        )
        names = await _names(self.ds, self.database, through.column, [row["value"] for row in rows])
        chosen = self.request.args.getlist(through.parameter)
        values = []
        for row in rows.rows[:size]:
            pair = {through.parameter: str(row["value"])}
            selected = str(row["value"]) in chosen
            toggle = path_with_removed_args(self.request, pair) if selected else path_with_added_args(self.request, pair)
            values.append({
                "value": row["value"],
                "label": names.get(row["value"], row["value"]),
                "count": row["count"],
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                "selected": selected,
            })
        return {
            "name": through.name,
            "type": "column",  # shown like one: its heading reads "country"
            "hideable": False,  # it comes from the metadata
            "toggle_url": self.ds.urls.path(self.request.path),
            "results": values,
            "truncated": len(rows) > size,
        }
