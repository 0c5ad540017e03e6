"""Datasette on the store, with the project's metadata (titles, descriptions, canned queries)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from crawler.data import data_dir


def datasette_metadata(db_path: str | Path) -> dict[str, Any]:
    """The project's metadata, its database section named after this database file (Datasette
    names a database by its file's stem, and the metadata file is written for `jobs.db`)."""
    metadata = json.loads((data_dir() / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    metadata["databases"] = {Path(db_path).stem: metadata["databases"]["jobs"]}
    return metadata


def serve_datasette(db_path: str | Path, port: int, host: str = "127.0.0.1") -> None:
    """Run Datasette in the foreground until interrupted."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as metadata_file:
        json.dump(datasette_metadata(db_path), metadata_file)
        metadata_file.flush()
        command = [
            sys.executable, "-m", "datasette", "serve", str(db_path),
            "--metadata", metadata_file.name, "--host", host, "--port", str(port),
        ]
        try:
            subprocess.run(command, check=False)
        except KeyboardInterrupt:
            pass
