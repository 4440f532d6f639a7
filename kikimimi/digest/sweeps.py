"""The main job's digests: each audience's digest is queued in the outbox when its send time
comes (on ``clock``'s time), then delivered by the notifier like every notice.

A send time missed while the job was not running is caught up when it starts, if it is at
most the audience's ``catch_up_hours`` late; an older one is skipped with a warning that
says how to send it by hand. Elasticsearch away or the disk full fails a send with one
warning; it is tried again every :data:`RETRY_SECONDS` until the catch-up time is over.
Sending twice is harmless: the outbox keys (audience, period, channel) store it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from elasticsearch import Elasticsearch

from alerts import Outbox
from config import DigestSettings, Settings
from core import ElasticsearchError, StorageFullError, disk_full_errors
from kikimimi.digest.content import DigestSources
from kikimimi.digest.schedule import DigestSchedule
from kikimimi.digest.sending import send_digest

__all__ = ["RETRY_SECONDS", "DigestSweeps"]

logger = logging.getLogger(__name__)

RETRY_SECONDS = 300.0


@dataclass
class _Audience:
    """An audience, its schedule, the send time it waits for and when to retry a failure."""

    settings: DigestSettings
    schedule: DigestSchedule
    fire: datetime
    retry_at: datetime | None = None

    @property
    def catch_up(self) -> timedelta:
        return timedelta(hours=self.settings.catch_up_hours)


class DigestSweeps:
    """Queues each audience's digest when due."""

    def __init__(
        self, settings: Settings, sources: DigestSources, clock: Callable[[], datetime]
    ) -> None:
        self.settings = settings
        self.sources = sources
        self.clock = clock
        now = clock()
        self._audiences = []
        for audience in settings.digests:
            schedule = DigestSchedule(audience)
            latest = schedule.latest_fire(now)
            missed = now - latest <= timedelta(hours=audience.catch_up_hours)
            fire = latest if missed else schedule.next_fire(now)
            self._audiences.append(_Audience(audience, schedule, fire))
            logger.info("digest %s: next due %s", audience.name, fire.isoformat())

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        client: Elasticsearch,
        outbox: Outbox,
        clock: Callable[[], datetime],
    ) -> DigestSweeps:
        return cls(settings, DigestSources.for_settings(settings, client, outbox), clock)

    def run_when_due(self) -> int:
        """Queue the digests whose send time has come: how many notices were newly queued."""
        now = self.clock()
        queued = 0
        for audience in self._audiences:
            if now >= audience.fire and (audience.retry_at is None or now >= audience.retry_at):
                queued += self._send(audience, now)
        return queued

    def _send(self, audience: _Audience, now: datetime) -> int:
        name, schedule = audience.settings.name, audience.schedule
        period = schedule.period_of(audience.fire)
        if now - audience.fire > audience.catch_up:
            logger.warning(
                "digest %s of %s was due at %s and not sent within catch_up_hours; skipped "
                "(send it with: kikimimi digest send --audience %s --period-end %s)",
                name,
                period.key,
                audience.fire.isoformat(),
                name,
                period.end.date().isoformat(),
            )
            self._next(audience, now)
            return 0
        try:
            with disk_full_errors("the notice outbox"):
                sent = send_digest(self.settings, audience.settings, period, self.sources, now)
        except (ElasticsearchError, StorageFullError) as exc:
            logger.warning(
                "digest %s of %s failed: %s; next try in %g s",
                name,
                period.key,
                exc,
                RETRY_SECONDS,
            )
            audience.retry_at = now + timedelta(seconds=RETRY_SECONDS)
            return 0
        if sent.queued:
            logger.info("digest %s of %s queued: %d notice(s)", name, period.key, sent.queued)
        self._next(audience, now)
        return sent.queued

    @staticmethod
    def _next(audience: _Audience, now: datetime) -> None:
        audience.fire = audience.schedule.next_fire(now)
        audience.retry_at = None
