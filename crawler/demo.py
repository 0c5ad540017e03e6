"""The offline demo: serve the bundled careers sites on 127.0.0.1 and crawl them into a fresh store."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import yaml

from crawler.crawl import CrawlReport, crawl
from crawler.data import data_dir
from crawler.sites import serve_site
from crawler.sources import Source
from pipelines.store import StoreError, check_store_file


def demo_sites(root: Path | None = None) -> list[tuple[Path, dict[str, str]]]:
    """(site folder, its site.yml) for every demo site, by name."""
    root = root or data_dir() / "demo"
    sites = []
    for site_file in sorted(root.glob("*/site.yml")):
        sites.append((site_file.parent, yaml.safe_load(site_file.read_text(encoding="utf-8"))))
    return sites


def is_demo_store(db_path: Path) -> bool:
    """Whether the store at `db_path` holds only the demo's sites, as served on 127.0.0.1."""
    demo_names = {site["name"] for _, site in demo_sites()}
    with contextlib.closing(sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        try:
            sources = connection.execute("SELECT name, url FROM sources").fetchall()
        except sqlite3.OperationalError:  # no sources table: not a store at all
            return False
    return all(name in demo_names and url.startswith("http://127.0.0.1:") for name, url in sources)


def run_demo(db_path: str | Path, overrides: dict | None = None) -> CrawlReport:
    """Build the demo store at `db_path` anew. Raises StoreError, touching nothing, when the file
    there is anything but an earlier demo store (a crawl's store, another database)."""
    db_path = Path(db_path)
    if db_path.exists() and db_path.stat().st_size:
        check_store_file(db_path)
        if not is_demo_store(db_path):
            raise StoreError(f"{db_path} holds a crawl store, not the demo's: the demo replaces only its own; give another --db")
    for leftover in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        leftover.unlink(missing_ok=True)
    with contextlib.ExitStack() as servers:
        sources = []
        for folder, site in demo_sites():
            origin = servers.enter_context(serve_site(folder))
            sources.append(Source(name=site["name"], url=origin + site["start"], company=site.get("company")))
        # One process: the demo's sites are served by threads of this one, which forked workers would copy.
        return crawl(sources, db_path, overrides, workers=1)
