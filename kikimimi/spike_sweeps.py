"""The spike alerts' sweeps: every ``alerting.spikes.evaluate_every_seconds`` (the first when
the scheduler leader starts), :class:`alerts.SpikeDetector` compares each brand's negative
mentions with its baseline and the alerts it raises go into the outbox. They run on the
scheduler leader only, so that one detector (and its cooldown) speaks for the deployment.
Elasticsearch or Redis away, or the disk full, fails a sweep with one warning; the next
interval tries again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from elasticsearch import Elasticsearch

from alerts import NoticeSink, SpikeDetector, spike_notices
from config import Settings
from core import ElasticsearchError, RedisError, StorageFullError, disk_full_errors
from kikimimi import wiring

__all__ = ["SpikeSweeps"]

logger = logging.getLogger(__name__)


class SpikeSweeps:
    """Evaluates the spike detector when its interval has passed."""

    def __init__(
        self,
        detector: SpikeDetector,
        outbox: NoticeSink,
        channels: Sequence[str],
        every_seconds: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.detector = detector
        self.outbox = outbox
        self.channels = tuple(channels)
        self.every_seconds = every_seconds
        self.clock = clock
        self._next = 0.0

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        client: Elasticsearch,
        outbox: NoticeSink,
        clock: Callable[[], datetime],
    ) -> SpikeSweeps | None:
        """The configured spike alerts (None when ``alerting.spikes.enabled`` is off)."""
        detector = wiring.spike_detector(settings, client)
        if detector is None:
            return None
        spikes = settings.alerting.spikes
        return cls(detector, outbox, spikes.notify, spikes.evaluate_every_seconds, clock)

    def run_when_due(self) -> int | None:
        """Evaluate if due: how many alerts fired; None when no sweep ran (not due, or it
        failed)."""
        if time.monotonic() < self._next:
            return None
        self._next = time.monotonic() + self.every_seconds
        now = self.clock()
        try:
            alerts = self.detector.evaluate(now)
            notices = [n for a in alerts for n in spike_notices(a, self.channels, now)]
            with disk_full_errors("the notice outbox or the spike detector's state"):
                self.outbox.enqueue(notices)
                self.detector.commit()
        except (ElasticsearchError, RedisError, StorageFullError) as exc:
            logger.warning("spike sweep failed: %s; next try in %g s", exc, self.every_seconds)
            return None
        for alert in alerts:
            logger.warning("spike alert: %s", alert.reason())
        return len(alerts)
