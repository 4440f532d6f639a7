"""Per-source health for ``kikimimi sources status`` and ``kikimimi status``."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from config import SourceSettings
from crawlers.state import CrawlRun, CrawlState

__all__ = ["SourceHealth", "source_health"]

STALE_AFTER_INTERVALS = 3
MALFORMED_WINDOW_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SourceHealth:
    """What the run history says about one source."""

    name: str
    type: str
    enabled: bool
    last_run: CrawlRun | None
    last_success: CrawlRun | None
    last_failure: CrawlRun | None
    healthy: bool
    verdict: str
    malformed_recently: int  # items skipped as malformed in the last 24 hours


def source_health(
    sources: Sequence[SourceSettings], state: CrawlState, now: float | None = None
) -> list[SourceHealth]:
    """Healthy = enabled, the latest run succeeded, and a success is recent (within three
    intervals). Malformed items skipped by the runs of the last day are counted apart: a
    source that skips some is still healthy, but the operator should see it."""
    now = time.time() if now is None else now
    report = []
    for source in sources:
        runs = state.runs(source.name, limit=50)
        last = runs[0] if runs else None
        success = next((r for r in runs if r.ok), None)
        failure = next((r for r in runs if not r.ok), None)
        if not source.enabled:
            healthy, verdict = True, "disabled"
        elif last is None:
            healthy, verdict = False, "never run"
        elif not last.ok:
            healthy, verdict = False, f"failing: {last.error}"
        elif (
            success is not None
            and now - success.finished_at > STALE_AFTER_INTERVALS * source.interval_seconds
        ):
            healthy, verdict = False, "stale: no success in three intervals"
        else:
            healthy, verdict = True, "ok"
        malformed = sum(
            r.malformed for r in runs if now - r.finished_at <= MALFORMED_WINDOW_SECONDS
        )
        report.append(
            SourceHealth(
                source.name,
                source.type,
                source.enabled,
                last,
                success,
                failure,
                healthy,
                verdict,
                malformed,
            )
        )
    return report
