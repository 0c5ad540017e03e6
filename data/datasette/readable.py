"""Datasette plugin, loaded by `jobatlas serve` from this folder: the postings a person reads.

- The jobs table opens on the columns a reader looks at first (metadata "jobatlas-readable":
  table → columns): `/jobs/jobs` alone is sent on to `?_col=title&_col=company...`; any other
  address (a facet, a search, `?_nocol=content_hash` for every column, the JSON) is left as asked.
  Datasette 0.65 has no setting for a table's default columns.
- A posting's own page (templates/_table-row-jobs-jobs.html) shows its text as text, with its
  labels beside it, instead of one row of thirty columns.
"""

from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def readable_first(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and not scope.get("query_string"):
                columns = _readable_columns(datasette, scope["path"])
                if columns:
                    location = scope["path"] + "?" + urlencode([("_col", column) for column in columns])
                    await send({"type": "http.response.start", "status": 302,
                                "headers": [(b"location", location.encode("utf-8")), (b"content-length", b"0")]})
                    await send({"type": "http.response.body", "body": b""})
                    return
            await app(scope, receive, send)

        return readable_first

    return wrap


def _readable_columns(datasette: Any, path: str) -> list[str]:
    """The columns a table's page opens on, when `path` is the page of a table that has them."""
    for database in datasette.databases:
        for table, columns in (datasette.plugin_config("jobatlas-readable") or {}).items():
            if path == datasette.urls.table(database, table):
                return columns
    return []
