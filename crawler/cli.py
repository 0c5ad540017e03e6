"""The `jobatlas` command: a thin click layer over plain functions (crawl, Store queries, demo).

Exit status: 0 when the work is done (problems on some pages are reported, not fatal), 1 when a
source failed as a whole or the database is missing, 2 for bad usage or a bad sources file, 75
when another crawl is writing to the same database.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import click

from crawler.crawl import CrawlLocked, SourceSummary, parse_overrides
from crawler.crawl import crawl as run_crawl
from crawler.extract import detect_source
from crawler.names import UnknownName, country_code, language_code
from crawler.sources import SourcesError, load_sources, select_sources
from pipelines import queries
from pipelines.clock import now
from pipelines.queries import Filters
from pipelines.store import Store, StoreError, check_store_file

# Like sysexits' EX_TEMPFAIL: a scheduler may simply try again later.
EXIT_LOCKED = 75
DEFAULT_SOURCES = "data/sources.yml"
DEFAULT_DB = "data/jobs.db"
EMPLOYMENT_TYPES = ["FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"]

db_option = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False), help="SQLite store."
)
count_rows_option = click.option(
    "--count-rows", is_flag=True,
    help="Count every stored row: a job published on two sources (its careers page and its board) counts twice.",
)
format_option = click.option(
    "--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jobatlas")
def main() -> None:
    """Crawl careers sites and ATS job boards into SQLite, and answer which countries have open
    job offers published in which language."""


@main.command()
@click.option("--sources", "sources_path", default=DEFAULT_SOURCES, show_default=True, type=click.Path(dir_okay=False),
              help="The sources file (YAML): which careers sites and ATS boards to crawl.")
@db_option
@click.option("--only", multiple=True, metavar="NAME", help="Crawl only this source (repeatable).")
@click.option("--set", "overrides", multiple=True, metavar="SETTING=VALUE", help="Override a Scrapy setting (repeatable).")
@click.option(
    "--workers", type=click.IntRange(1), default=None,
    help="Processes crawling side by side  [default: one per core]. Sources are shared out between them; a large careers site is split.",
)
@click.option("--redis", "redis_url", metavar="URL",
              help="Coordinate a crawl on several machines: the sources go to the `jobatlas worker`s pulling from"
                   " this Redis (redis://HOST:PORT/DB), and this process writes what they send back.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request problem and Scrapy's own info.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines; summary only.")
def crawl(
    sources_path: str, db_path: str, only: tuple[str, ...], overrides: tuple[str, ...], workers: int | None,
    redis_url: str | None, verbose: bool, quiet: bool,
) -> None:
    """Crawl every source (or the --only ones), update the store, print a summary."""
    try:
        sources = select_sources(load_sources(sources_path), only)
        check_store_file(db_path)
    except (SourcesError, StoreError) as error:
        raise click.UsageError(str(error)) from None
    try:
        settings = parse_overrides(overrides)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if verbose:
        settings["LOG_LEVEL"] = "INFO"
        settings.setdefault("STATS_DUMP", True)
    if quiet:
        settings.update(LOG_LEVEL="ERROR", JOBATLAS_PROGRESS_INTERVAL=0)
    if redis_url and workers:
        raise click.UsageError("--workers and --redis: the workers of a crawl through Redis are `jobatlas worker`s")
    click.echo(f"Crawling {len(sources)} source(s) into {db_path}"
               + (f" through the workers on {redis_url}" if redis_url else "") + " ...", err=True)
    try:
        if redis_url:
            from crawler.distributed import coordinate

            report = coordinate(sources, db_path, redis_url, settings)
        else:
            report = run_crawl(sources, db_path, settings, workers)
    except CrawlLocked as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except RuntimeError as error:
        from crawler.distributed import CoordinatorBusy, DistributedError

        if not isinstance(error, DistributedError):
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_LOCKED if isinstance(error, CoordinatorBusy) else 1)
    click.echo(format_summary(report.summaries))
    for summary in report.summaries:
        if summary.status == "failed":
            click.echo(f"{summary.source} failed: {summary.first_error or 'nothing could be fetched'}", err=True)
    if report.stopped_by:
        click.echo(
            f"Stopped by {signal.Signals(report.stopped_by).name}: what was read is stored;"
            " the next `jobatlas crawl` resumes where this one stopped.",
            err=True,
        )
        # As shells report a process a signal ended: 130 for SIGINT, 143 for SIGTERM.
        sys.exit(128 + report.stopped_by)
    if any(summary.status == "failed" for summary in report.summaries):
        sys.exit(1)


@main.command()
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The Redis the coordinator uses (redis://HOST:PORT/DB).")
@click.option("--data", "data_dir", default="data/worker", show_default=True, type=click.Path(file_okay=False),
              help="Where this worker keeps its HTTP cache and crawl state.")
@click.option("--set", "overrides", multiple=True, metavar="SETTING=VALUE", help="Override a Scrapy setting (repeatable).")
@click.option("--once", is_flag=True, help="Leave when the crawl it joined is over (default: serve crawl after crawl).")
@click.option("--wait", type=click.FloatRange(0), default=None, metavar="SECONDS",
              help="Give up when no coordinator shows up within this time  [default: wait].")
@click.option("-v", "--verbose", is_flag=True, help="Log every request problem and Scrapy's own info.")
def worker(redis_url: str, data_dir: str, overrides: tuple[str, ...], once: bool, wait: float | None, verbose: bool) -> None:
    """Crawl the sources a coordinator (`jobatlas crawl --redis URL`) shares out, on this machine,
    and send what is read back to it. Any number of workers may join or leave during a crawl."""
    from crawler.distributed import DistributedError, WorkerRefused, serve
    from crawler.report import AlreadyReported

    try:
        settings = parse_overrides(overrides)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    settings["LOG_LEVEL"] = "INFO" if verbose else settings.get("LOG_LEVEL", "WARNING")
    if not verbose:
        AlreadyReported.install()
    while True:
        try:
            taken, stopped_by = serve(redis_url, data_dir, settings, wait=wait)
        except WorkerRefused as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(2)
        except DistributedError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)
        click.echo(f"Crawled {taken} source(s) for the coordinator on {redis_url}.", err=True)
        if stopped_by:
            click.echo(f"Stopped by {signal.Signals(stopped_by).name}: the sources it was crawling go to another worker.", err=True)
            sys.exit(128 + stopped_by)
        if once:
            return
        # Scrapy's reactor runs once per process: the next crawl is served by a fresh process.
        os.execv(sys.executable, [sys.executable, "-m", "crawler.cli", *sys.argv[1:]])


def _read_by(resolve: Callable[[str], str]) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A click callback reading a language or country as people type it into its ISO code."""

    def callback(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
        try:
            return None if value is None else resolve(value)
        except UnknownName as error:
            raise click.BadParameter(str(error)) from None

    return callback


def filter_options(command: Any) -> Any:
    """The filters every question and the export take (see pipelines.queries.Filters)."""
    options = [
        click.option("--company", "companies", multiple=True, metavar="NAME", help="Only this company's postings (repeatable)."),
        click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source's postings (repeatable)."),
        click.option("--workplace", type=click.Choice(["onsite", "hybrid", "remote"]), help="Only postings with this workplace."),
        click.option("--employment-type", type=click.Choice(EMPLOYMENT_TYPES, case_sensitive=False),
                     help="Only postings of this employment type."),
        click.option("--at", "at", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                     help="What was open at the end of that day, instead of now."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filters(companies: tuple[str, ...], sources: tuple[str, ...], workplace: str | None,
             employment_type: str | None, at: datetime.datetime | None) -> Filters:
    return Filters(companies, sources, workplace, employment_type.upper() if employment_type else None,
                   at.date().isoformat() if at else None)


@main.command()
@click.option("--lang", required=True, callback=_read_by(language_code),
              help="Language: ISO 639-1 code (fr) or name, in English or in itself (French, français).")
@filter_options
@count_rows_option
@db_option
@format_option
def countries(lang: str, count_rows: bool, db_path: str, output_format: str, **filters: Any) -> None:
    """Countries with open postings published in LANG, with counts, most first (a job published
    on several sources counts once)."""
    rows = queries.countries_for_language(_open_store(db_path).db.conn, lang, _filters(**filters), count_rows)
    click.echo(format_rows(rows, output_format), nl=False)


@main.command()
@click.option("--country", default=None, callback=_read_by(country_code),
              help="Country: ISO 3166-1 alpha-2 code (CH) or name in any language (Switzerland, Schweiz)  [default: everywhere].")
@filter_options
@count_rows_option
@db_option
@format_option
def languages(country: str | None, count_rows: bool, db_path: str, output_format: str, **filters: Any) -> None:
    """Languages with open postings (in COUNTRY), with counts, most first (a job published on
    several sources counts once)."""
    rows = queries.languages_for_country(_open_store(db_path).db.conn, country, _filters(**filters), count_rows)
    click.echo(format_rows(rows, output_format), nl=False)


@main.command()
@click.option("--lang", required=True, callback=_read_by(language_code), help="Language: ISO code or name.")
@click.option("--country", default=None, callback=_read_by(country_code), help="Only this country  [default: every country].")
@click.option("--by", type=click.Choice(["day", "week", "month"]), default="week", show_default=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day  [default: the day the store first saw a posting].")
@filter_options
@count_rows_option
@db_option
@format_option
def trend(lang: str, country: str | None, by: str, since: datetime.datetime | None, count_rows: bool, db_path: str,
          output_format: str, **filters: Any) -> None:
    """Open postings in LANG at the end of each day, week or month, per country."""
    if filters.get("at"):
        raise click.UsageError("trend covers a span of days: use --since, not --at")
    db = _open_store(db_path).db.conn
    start = since.date() if since else queries.first_seen(db)
    rows = [] if start is None else queries.trend(db, lang, start, now().date(), by, country, _filters(**filters), count_rows)  # type: ignore[arg-type]
    click.echo(format_rows(rows, output_format, empty="(no open postings in that span)"), nl=False)


@main.command()
@click.option("--format", "output_format", type=click.Choice(["csv", "jsonl", "parquet"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True, help="The file to write.")
@click.option("--open-only/--all", default=True, show_default=True, help="Only open postings, or closed ones too.")
@filter_options
@db_option
def export(output_format: str, output: str, open_only: bool, db_path: str, **filters: Any) -> None:
    """Write postings, with their places and labels, to a CSV, JSON-lines or Parquet file
    (columns: see the README); rows are streamed, so memory stays flat."""
    if output_format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise click.UsageError("Parquet needs pyarrow: pip install 'jobatlas[parquet]'") from None
    store = _open_store(db_path)
    count = queries.export(store.db.conn, output, output_format, _filters(**filters), open_only)
    click.echo(f"Wrote {count} postings to {output}", err=True)


@main.command()
@db_option
@click.option("--source", default=None, help="Only this source's runs (its name in the sources file).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="How many runs, newest first.")
@format_option
def runs(db_path: str, source: str | None, limit: int, output_format: str) -> None:
    """The latest crawl runs: status, counts and problems, newest first."""
    store = _open_store(db_path)
    known = store.source_names()
    if source is not None and source not in known:
        listed = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "") if known else "none yet"
        raise click.BadParameter(f"no source named {source!r} in {db_path} (its sources: {listed})", param_hint="--source")
    rows = store.runs(source, limit)
    if output_format == "json":  # problems as an object, not the JSON text the table keeps
        rows = [{**row, "problems": json.loads(row["problems"] or "{}")} for row in rows]
    click.echo(format_rows(rows, output_format, empty="(no crawl runs yet)"), nl=False)


@main.command()
@db_option
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option("--tiles", type=click.Choice(["auto", "online", "offline"]), default="auto", show_default=True,
              help="Map tiles from OpenStreetMap's tile server, or the offline set served with the store (zoom 0-6);"
                   " auto: online when the tile server answers.")
def serve(db_path: str, port: int, tiles: str) -> None:
    """Browse the store in Datasette on 127.0.0.1, with the project's metadata, facets, canned
    queries, map and chart."""
    from crawler.browse import browse_url, online_tiles_reachable, serve_datasette

    _open_store(db_path).close()  # refuses a missing file; brings an old store's schema up to date
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise click.BadParameter(f"port {port} on 127.0.0.1 is in use ({error.strerror}); pick another", param_hint="--port") from None
    online = tiles == "online" or (tiles == "auto" and online_tiles_reachable())
    click.echo(f"Browsing {db_path} at {browse_url(port)}  (Ctrl-C to stop)")
    click.echo("Map tiles: " + ("OpenStreetMap's tile server" if online else "offline, served with the store (zoom 0-6)"))
    serve_datasette(db_path, port, online_tiles=online)


@main.command()
@click.option("--db", "db_path", default="data/demo.db", show_default=True, type=click.Path(dir_okay=False),
              help="Where to build the demo store (replaced on each run; never a store that is not the demo's).")
def demo(db_path: str) -> None:
    """Offline: serve the bundled demo careers sites on 127.0.0.1, crawl them, print the answer."""
    from crawler.browse import browse_url
    from crawler.demo import run_demo

    try:
        report = run_demo(db_path)
    except StoreError as error:
        raise click.UsageError(str(error)) from None
    click.echo(format_summary(report.summaries))
    store = Store(db_path)
    click.echo("\nOpen job offers per language and country:\n")
    click.echo(format_rows(language_country_table(store), "table"))
    click.echo(f"\nAsk your own questions:  jobatlas countries --lang fr --db {db_path}")
    click.echo(f"Browse it in Datasette:   jobatlas serve --db {db_path}")
    click.echo(f"  then open {browse_url()} in a browser: countries for a language, languages for a")
    click.echo("  country, postings with facets and search, a map of open postings and a chart.")


@main.group()
def sources() -> None:
    """Work with the sources file."""


@sources.command("detect")
@click.argument("urls", nargs=-1, required=True)
@click.option("--fetch/--no-fetch", default=True, show_default=True,
              help="Fetch pages whose URL names no ATS board once: to recognise a board on the company's own"
                   " domain, and list (on stderr) the boards a careers page links.")
def sources_detect(urls: tuple[str, ...], fetch: bool) -> None:
    """Print which kind of source (careers site or ATS board) each URL is: one line per URL, in
    the order given, `kind<TAB>url`."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URLS")
    for url in urls:
        try:
            detection = detect_source(url, fetch)
        except OSError as error:
            click.echo(f"{url}: could not fetch ({error}); read as a careers site", err=True)
            detection = detect_source(url, fetch=False)
        click.echo(f"{detection.kind}\t{detection.url}")
        for board, kind in detection.linked_boards.items():
            click.echo(f"{url}: links a {kind} board, crawled with it: {board}", err=True)


@sources.command("try")
@click.argument("target", metavar="NAME|URL")
@click.option("--sources", "sources_path", default=DEFAULT_SOURCES, show_default=True, type=click.Path(dir_okay=False),
              help="The sources file: where NAME is, and whose careers site's recipe applies to a URL under it.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
def sources_try(target: str, sources_path: str, output_format: str) -> None:
    """Fetch one page (a source's careers URL, or any URL) and print, field by field, what jobatlas
    reads from it and by which path: JSON-LD/microdata, recipe, embedded state, DOM fallback; with
    the posting links, next pages and ATS boards a crawl would follow. For writing a recipe."""
    from crawler.try_page import TryError, format_trial, try_page

    is_url = target.startswith(("http://", "https://"))
    try:
        entries = load_sources(sources_path) if Path(sources_path).exists() or not is_url else []
        trial = try_page(target, entries)
    except (SourcesError, TryError) as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        click.echo(f"Error: could not fetch {target}: {error}", err=True)
        sys.exit(1)
    click.echo(json.dumps(trial.as_dict(), ensure_ascii=False, indent=2) if output_format == "json" else format_trial(trial), nl=output_format == "json")


@sources.command("check")
@click.argument("path", default=DEFAULT_SOURCES, type=click.Path(dir_okay=False))
def sources_check(path: str) -> None:
    """Validate a sources file without crawling."""
    try:
        entries = load_sources(path)
    except SourcesError as error:
        raise click.UsageError(str(error)) from None
    for entry in entries:
        click.echo(f"{entry.name}\t{entry.kind}\t{entry.url}")


# -- output ----------------------------------------------------------------------------------


def language_country_table(store: Store) -> list[dict[str, Any]]:
    return list(
        store.db.query(
            "SELECT country_languages.language, languages.name AS language_name, country_code, country, jobs"
            " FROM country_languages LEFT JOIN languages ON languages.code = country_languages.language"
            " ORDER BY country_languages.language, jobs DESC, country_code"
        )
    )


def format_rows(rows: list[dict[str, Any]], output_format: str, empty: str = "(no open postings match)") -> str:
    if output_format == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if not rows:
        return "" if output_format == "csv" else empty + "\n"
    columns = list(rows[0])
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    cells = [[("" if row[c] is None else str(row[c])) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[c], (int, float)) for row in rows) for c in columns]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *map(line, cells)]) + "\n"


def format_summary(summaries: list[SourceSummary]) -> str:
    rows = [
        {
            "source": s.source,
            "status": s.status,
            "pages": s.pages,
            "postings": s.postings,
            "new": s.new,
            "updated": s.updated,
            "unchanged": s.unchanged,
            "reopened": s.reopened,
            "closed": s.closed,
            "problems": ", ".join(f"{kind} {count}" for kind, count in s.problems.items()) or "-",
        }
        for s in summaries
    ]
    totals = {
        name: sum(getattr(s, name) for s in summaries)
        for name in ("pages", "postings", "new", "updated", "unchanged", "reopened", "closed")
    }
    error_total = sum(sum(s.errors.values()) for s in summaries)
    return (
        format_rows(rows, "table")
        + f"\nTotal: {totals['pages']} pages, {totals['postings']} postings"
        f" ({totals['new']} new, {totals['updated']} updated, {totals['unchanged']} unchanged,"
        f" {totals['reopened']} reopened), {totals['closed']} closed, {error_total} errors."
    )


# -- helpers ---------------------------------------------------------------------------------


def _open_store(db_path: str) -> Store:
    if not Path(db_path).exists():
        click.echo(f"Error: no database at {db_path}; run `jobatlas crawl` first (or pass --db).", err=True)
        sys.exit(1)
    try:
        return Store(db_path)
    except StoreError as error:
        raise click.UsageError(str(error)) from None


if __name__ == "__main__":
    main()
