"""Problems met during a crawl: counted by kind in the crawler's stats, logged with their URL,
and kept (a bounded number per kind) for the crawl_runs table and the end-of-crawl summary."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import StatsCollector
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

logger = logging.getLogger("jobatlas")

PROBLEM_PREFIX = "jobatlas/problems/"
EXAMPLES_KEY = "jobatlas/problem_examples"
EXAMPLES_PER_KIND = 20

# Kinds that describe the site rather than a failure: reported, but not counted as errors, so they
# never keep a run from being complete (and closing what it no longer lists). A broken JSON-LD
# block that cannot hide a posting (it names no JobPosting, or its page gave its posting) is one.
NOTES = frozenset(
    {
        "no_job_markup", "robots_disallowed", "no_postings_found", "ats_board_found", "bad_json_ld_harmless", "resumed",
        "app_shell", "asset_not_loaded", "render_refused",
    }
)


def record_problem(stats: StatsCollector | MergedStats, kind: str, url: str, detail: str = "") -> None:
    stats.inc_value(PROBLEM_PREFIX + kind)
    examples: list[dict[str, str]] = stats.get_value(EXAMPLES_KEY) or []
    if sum(1 for example in examples if example["kind"] == kind) < EXAMPLES_PER_KIND:
        examples.append({"kind": kind, "url": url, "detail": detail[:300]})
        stats.set_value(EXAMPLES_KEY, examples)
    log = logger.info if kind in NOTES else logger.warning
    log("%s: %s%s", kind, url, f" ({detail})" if detail else "")


class MergedStats(dict):
    """The stats of the crawlers that shared one source's run (its shards), added up, with the
    StatsCollector methods `record_problem` uses: a source crawled in parts is reported as one."""

    def __init__(self, parts: list[dict[str, Any]]) -> None:
        super().__init__()
        for part in parts:
            for key, value in part.items():
                if key == EXAMPLES_KEY:
                    self.setdefault(key, []).extend(value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    self[key] = self.get(key, 0) + value
                else:
                    self.setdefault(key, value)

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self[key] = value

    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] = self.get(key, 0) + count


class AlreadyReported(logging.Filter):
    """Keeps Scrapy's own log lines about failed downloads (retries given up, robots.txt not
    fetched), with their tracebacks, for `-v`: every such failure reaches a spider's errback and
    is reported as a problem with its URL, so at the default level it would only be said twice."""

    LOGGERS = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Error downloading", "Gave up retrying"))

    @classmethod
    def install(cls) -> None:
        """On Scrapy's loggers of this process (and of the workers it forks)."""
        for name in cls.LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(existing, cls) for existing in logger.filters):
                logger.addFilter(cls())


def first_error(stats: dict[str, Any]) -> str | None:
    """The first error a run met, as one line: `kind: URL (detail)`."""
    for example in stats.get(EXAMPLES_KEY) or []:
        if example["kind"] not in NOTES:
            detail = f" ({example['detail']})" if example.get("detail") else ""
            return f"{example['kind']}: {example['url']}{detail}"
    return None


def problems_by_kind(stats: dict[str, Any]) -> dict[str, int]:
    return {
        key.removeprefix(PROBLEM_PREFIX): value
        for key, value in sorted(stats.items())
        if key.startswith(PROBLEM_PREFIX)
    }


def error_count(stats: dict[str, Any]) -> int:
    return sum(count for kind, count in problems_by_kind(stats).items() if kind not in NOTES)


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(kind, detail) for a failed request. An exception that names its own kind
    (`problem_kind`, as a rendered page's do) is reported as that kind."""
    if kind := getattr(failure.value, "problem_kind", None):
        return kind, failure.getErrorMessage()[:300]
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", f"HTTP {status}"
    if failure.check(DownloadTimeoutError, TimeoutError):
        return "timeout", "no answer before the download timeout"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns", str(failure.value)
    if failure.check(ResponseDataLossError):
        return "truncated", failure.getErrorMessage()[:200]
    if failure.check(DownloadCancelledError) and _about_size(failure.getErrorMessage()):
        return "too_large", failure.getErrorMessage()[:200]
    if failure.check(
        DownloadConnectionRefusedError,
        DownloadFailedError,
        ConnectionRefusedError,
        ConnectionLost,
        ResponseFailed,
        ResponseNeverReceived,
    ):
        return "connection", failure.getErrorMessage()[:200] or failure.type.__name__
    if failure.check(IgnoreRequest):
        message = failure.getErrorMessage()
        if "robots" in message.lower():
            return "robots_disallowed", message
        if message.startswith("offsite"):
            return "offsite_refused", message
        if "redirections" in message:
            return "too_many_redirects", message
        if _about_size(message):
            return "too_large", message  # a compressed body that decompresses past the limit
        return "ignored", message
    return "fetch_failed", f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]


def _about_size(message: str) -> bool:
    """Scrapy's words when a body passes DOWNLOAD_MAXSIZE (on the wire or decompressed)."""
    return any(word in message.lower() for word in ("maxsize", "max size"))
