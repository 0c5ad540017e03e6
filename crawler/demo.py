"""The offline demo: serve the bundled careers sites on 127.0.0.1 and crawl them into a fresh store."""

from __future__ import annotations

import contextlib
from pathlib import Path

import yaml

from crawler.crawl import CrawlReport, crawl
from crawler.data import data_dir
from crawler.sites import serve_site
from crawler.sources import Source


def demo_sites(root: Path | None = None) -> list[tuple[Path, dict[str, str]]]:
    """(site folder, its site.yml) for every demo site, by name."""
    root = root or data_dir() / "demo"
    sites = []
    for site_file in sorted(root.glob("*/site.yml")):
        sites.append((site_file.parent, yaml.safe_load(site_file.read_text(encoding="utf-8"))))
    return sites


def run_demo(db_path: str | Path, overrides: dict | None = None) -> CrawlReport:
    db_path = Path(db_path)
    for leftover in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        leftover.unlink(missing_ok=True)
    with contextlib.ExitStack() as servers:
        sources = []
        for folder, site in demo_sites():
            origin = servers.enter_context(serve_site(folder))
            sources.append(Source(name=site["name"], url=origin + site["start"], company=site.get("company")))
        # One process: the demo's sites are served by threads of this one, which forked workers would copy.
        return crawl(sources, db_path, overrides, workers=1)
