"""Tables and models that cost a second or more to build or decompress, kept in the user's cache
folder for every later process: as pickles that load in a tenth of that, or as SQLite files that
are only opened, and read where they are looked up."""

from __future__ import annotations

import contextlib
import functools
import gc
import mmap
import os
import pickle
import sqlite3
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

_Table = TypeVar("_Table")


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jobatlas"


def kept_on_disk(key: str) -> Callable[[Callable[[], _Table]], Callable[[], _Table]]:
    """`build()`'s result, pickled under the build function's name and `key` (which must change
    whenever what is built would: a hash of the code and the data's versions). A missing,
    unreadable or unwritable file only means building it again."""

    def decorate(build: Callable[[], _Table]) -> Callable[[], _Table]:
        @functools.wraps(build)
        def load_or_build() -> _Table:
            path = cache_dir() / f"{build.__name__.strip('_')}-{key}.pickle"
            gc.disable()  # a million new objects would trigger many useless collections
            try:
                with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
                    return pickle.loads(path.read_bytes())
            finally:
                gc.enable()
            table = build()
            with contextlib.suppress(OSError):
                _write_whole(path, lambda partial: partial.write_bytes(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)))
            return table

        return load_or_build

    return decorate


def kept_database(name: str, key: str, build: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    """A read-only connection to the SQLite file `build` fills (once; it must commit), kept under
    `name` and `key` (like `kept_on_disk`'s). Processes reading one file share its pages through
    the operating system's cache. Where the cache folder cannot be written, it is built in memory."""
    path = cache_dir() / f"{name}-{key}.sqlite"
    with contextlib.suppress(sqlite3.Error):
        return _read_only(path)

    def build_into(partial: Path) -> None:
        with contextlib.closing(sqlite3.connect(partial)) as connection:
            build(connection)

    with contextlib.suppress(OSError, sqlite3.Error):
        _write_whole(path, build_into)
        return _read_only(path)
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    build(connection)
    return connection


def _read_only(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    connection.execute("SELECT 1 FROM sqlite_master")  # a file that is not a database fails here, not later
    return connection


def kept_mapped(name: str, key: str, build: Callable[[], tuple[Any, list[memoryview]]]) -> tuple[Any, list[memoryview]]:
    """`build()`'s (small object, large flat buffers), the buffers written as they are into one file
    of the cache folder and mapped into memory: a process reads no more than it touches, and the
    processes of a crawl share the same pages instead of each holding a copy. Returned as byte
    memoryviews, to be cast or wrapped (numpy.frombuffer) by the caller; where the cache folder
    cannot be written, the built ones."""
    header, data = cache_dir() / f"{name}-{key}.pickle", cache_dir() / f"{name}-{key}.bin"
    with contextlib.suppress(OSError, ValueError, pickle.UnpicklingError, EOFError):
        small, sizes = pickle.loads(header.read_bytes())
        with open(data, "rb") as file:
            mapped = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
        if len(mapped) == sum(sizes):
            return small, [mapped[offset : offset + size] for offset, size in zip(accumulate([0, *sizes]), sizes)]
    small, buffers = build()
    buffers = [memoryview(buffer).cast("B") for buffer in buffers]
    with contextlib.suppress(OSError):
        # The header last, so that it never describes another file.
        for path, content in ((data, buffers), (header, [pickle.dumps((small, [len(b) for b in buffers]))])):
            _write_whole(path, functools.partial(_write_buffers, buffers=content))
    return small, buffers


def _write_buffers(path: Path, buffers: list[Any]) -> None:
    with open(path, "wb") as file:
        file.writelines(buffers)


def _write_whole(path: Path, write: Callable[[Path], None]) -> None:
    """Have `write` make the file at `path`, first under a name of this process's, then renamed:
    a reader never sees half a file, and two processes building it at once do not mix theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    write(partial)
    partial.replace(path)
