"""A throttled progress line for long indexing runs (stderr, at most once a second)."""

from __future__ import annotations

import time

from indexer import IndexReport
from kikimimi.cli.context import say


class IndexProgress:
    """Callable given to the Indexer; prints running counts and the rate."""

    def __init__(self, started: float, every_seconds: float = 1.0) -> None:
        self._started = started
        self._every = every_seconds
        self._last = started

    def __call__(self, report: IndexReport) -> None:
        now = time.monotonic()
        if now - self._last < self._every:
            return
        self._last = now
        done = report.indexed + report.updated
        rate = done / max(now - self._started, 1e-9)
        say(
            f"… {done} indexed ({rate:,.0f}/s), {report.dead_lettered} dead-lettered, "
            f"{report.spooled} spooled"
        )
