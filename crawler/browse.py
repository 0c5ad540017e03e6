"""Datasette on the store, with the project's metadata, canned queries, facets and pictures.

`data/datasette/` holds metadata.json (descriptions, facets, canned queries, the dashboard) and
two small plugins (jobatlas_labels.py: codes shown by name, the country facet; column_notes.py).
The map comes from datasette-cluster-map, the chart from datasette-dashboards: both ship their
scripts, so pages work offline (only map tiles come from the internet)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datasette.app import Datasette
from datasette.database import Database

from crawler.data import data_dir

# The database is always served under this name, whatever the file is called, so the metadata,
# the canned queries and the links between pages (/jobs/countries_for_language) hold for any --db.
DATABASE = "jobs"
DEFAULT_PORT = 8001  # `jobatlas serve`'s default
SETTINGS = {
    "truncate_cells_html": 200,  # descriptions are long: a table page shows their start
}


def datasette_folder() -> Path:
    return data_dir() / "datasette"


def datasette_metadata() -> dict[str, Any]:
    return json.loads((datasette_folder() / "metadata.json").read_text(encoding="utf-8"))


def build_datasette(db_path: str | Path) -> Datasette:
    """The Datasette that `jobatlas serve` runs (and tests query through `datasette.client`)."""
    datasette = Datasette(
        metadata=datasette_metadata(),
        plugins_dir=str(datasette_folder()),
        settings=SETTINGS,
    )
    datasette.remove_database("_memory")  # added when Datasette is given no file; ours comes next
    # Mutable: a crawl may write to the store while it is browsed.
    datasette.add_database(Database(datasette, path=str(db_path), is_mutable=True), name=DATABASE)
    return datasette


def browse_url(port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}/"


def serve_datasette(db_path: str | Path, port: int, host: str = "127.0.0.1") -> None:
    """Serve the store in the foreground until interrupted (Ctrl-C)."""
    import uvicorn  # Datasette's own server

    uvicorn.run(build_datasette(db_path).app(), host=host, port=port, lifespan="on", log_level="warning")
