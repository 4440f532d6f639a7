"""The main job's SLA sweeps: :class:`alerts.SlaSweep` every
``alerting.cases.sla_sweep_seconds`` (the first when the job starts), its escalation notices
into the outbox. Elasticsearch away or the disk full fails a sweep with one warning; the
next interval tries again, and nothing is lost (a case not marked is found again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from elasticsearch import Elasticsearch

from alerts import NoticeSink, SlaSweep
from config import Settings
from core import ElasticsearchError, StorageFullError, disk_full_errors
from kikimimi import wiring

__all__ = ["SlaSweeps"]

logger = logging.getLogger(__name__)


class SlaSweeps:
    """Runs the SLA sweep when its interval has passed, on ``clock``'s time."""

    def __init__(
        self, sweep: SlaSweep, every_seconds: float, clock: Callable[[], datetime]
    ) -> None:
        self.sweep = sweep
        self.every = timedelta(seconds=every_seconds)
        self.clock = clock
        self._next: datetime | None = None

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        client: Elasticsearch,
        outbox: NoticeSink,
        clock: Callable[[], datetime],
    ) -> SlaSweeps:
        alerting = settings.alerting
        sweep = SlaSweep(wiring.case_store(settings, client), outbox, alerting.escalation)
        return cls(sweep, alerting.cases.sla_sweep_seconds, clock)

    def run_when_due(self) -> int | None:
        """Sweep if due: how many notices it put in the outbox; None when no sweep ran (not
        due, or it failed)."""
        now = self.clock()
        if self._next is not None and now < self._next:
            return None
        self._next = now + self.every
        try:
            with disk_full_errors("the notice outbox"):
                report = self.sweep.run(now)
        except (ElasticsearchError, StorageFullError) as exc:
            seconds = self.every.total_seconds()
            logger.warning("SLA sweep failed: %s; next try in %g s", exc, seconds)
            return None
        for case in report.breached:
            logger.warning("case %s is past its SLA without a response", case.id)
        return report.notices
