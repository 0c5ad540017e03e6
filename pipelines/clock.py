"""The one clock jobatlas reads: when a posting was seen, closed or changed, when a run started,
and which `validThrough` dates have passed.

It is the system's UTC clock, unless `JOBATLAS_NOW` sets another instant (the tests do, so
that fixture dates never expire; an operator can replay a crawl "as of" a date). The variable
holds an ISO 8601 instant, optionally followed by `@EPOCH`: the real time at which that instant
held, from which the clock then runs on - so that separate processes of one test see time pass in
order. Without `@EPOCH` the clock stands still at the instant.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

CLOCK_VARIABLE = "JOBATLAS_NOW"


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    setting = os.environ.get(CLOCK_VARIABLE)
    if not setting:
        return datetime.now(timezone.utc)
    instant, _, anchor = setting.partition("@")
    moment = datetime.fromisoformat(instant.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if anchor:
        moment += timedelta(seconds=time.time() - float(anchor))
    return moment.astimezone(timezone.utc)


def utc_now() -> str:
    """The current instant as the store writes it: `2026-11-20T12:00:00+00:00`."""
    return now().isoformat(timespec="seconds")


def set_clock(instant: str) -> None:
    """Make this process and the processes it starts read `instant` as now, running on from it."""
    os.environ[CLOCK_VARIABLE] = f"{instant}@{time.time():.3f}"
