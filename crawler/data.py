"""Where the project's bundled data (demo sites, Datasette metadata) lives, installed or not."""

from __future__ import annotations

from pathlib import Path

import jobatlas_data


def data_dir() -> Path:
    """The `data/` folder, shipped as the `jobatlas_data` package by `pip install .`.

    It is a namespace package (no __init__.py in data/); its first real directory is the one."""
    return next(Path(entry) for entry in jobatlas_data.__path__ if Path(entry).is_dir())
