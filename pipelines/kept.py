"""Tables and models that cost a second or more to build or decompress, kept in the user's cache
folder as pickles that load in a tenth of that, for every later process."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f"{path.name}.{os.getpid()}")
                partial.write_bytes(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
                partial.replace(path)  # atomic: a reader never sees half a file
            return table

        return load_or_build

    return decorate
