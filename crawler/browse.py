"""Datasette on the store, with the project's metadata (titles, descriptions, canned queries)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.data import data_dir


def datasette_command(db_path: str | Path, port: int, host: str = "127.0.0.1") -> list[str]:
    metadata = data_dir() / "datasette" / "metadata.json"
    return [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--metadata", str(metadata), "--host", host, "--port", str(port),
        "--setting", "default_facet_size", "20",
    ]


def serve_datasette(db_path: str | Path, port: int) -> None:
    """Run Datasette in the foreground until interrupted."""
    try:
        subprocess.run(datasette_command(db_path, port), check=False)
    except KeyboardInterrupt:
        pass
