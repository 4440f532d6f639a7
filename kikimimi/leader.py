"""The scheduler leader: what only one process of a deployment does, and who that is.

The leader runs the crawl schedule (:mod:`kikimimi.scheduling`; not with ``--no-schedule``)
and the sweeps that must run once per deployment: SLA escalations
(:mod:`kikimimi.sla_sweeps`), the digests (:mod:`kikimimi.digest`) and the spike alerts
(:mod:`kikimimi.spike_sweeps`).

With the Redis queue, any number of scheduler processes stand by and a lease in Redis,
``<redis.key_prefix>:scheduler:leader``, elects one (:mod:`kikimimi.leadership`). The one
that takes the lease starts the schedule and builds its sweeps; one that loses it stops
scheduling at once and sweeps no more (crawls it started go on to their end, each holding
its source's crawl lease, :mod:`kikimimi.crawl_lease`). When the leader stops cleanly it
gives the lease back and another takes over within a moment; when it dies, within
``scheduler.lease_seconds``. With the SQLite queue the scheduler's lock on the state
directory (:mod:`kikimimi.run_lock`) makes it the only one: it leads from the start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from elasticsearch import Elasticsearch

from alerts import Outbox
from config import Settings
from core import RedisError, RedisLease, one_line
from kikimimi.digest import DigestSweeps
from kikimimi.leadership import LeaseKeeper, lease_for
from kikimimi.scheduling import CrawlScheduler
from kikimimi.sla_sweeps import SlaSweeps
from kikimimi.spike_sweeps import SpikeSweeps
from kikimimi.workers import process_name

__all__ = ["LEADER_LEASE", "LeaderSweep", "SchedulerLeader"]

logger = logging.getLogger(__name__)

LEADER_LEASE = "scheduler:leader"
"""The leader's lease, under ``redis.key_prefix``."""


@dataclass(frozen=True)
class LeaderSweep:
    """What the sweeps due just now did: notices queued, spike alerts raised."""

    notices: int = 0
    spikes: int = 0


@dataclass(frozen=True)
class _Sweeps:
    sla: SlaSweeps
    digests: DigestSweeps
    spikes: SpikeSweeps | None


class SchedulerLeader:
    """Stands for leader and, while it leads, runs the schedule and the sweeps."""

    def __init__(
        self,
        settings: Settings,
        config_file: Path,
        client: Elasticsearch,
        outbox: Outbox,
        *,
        schedule: bool,
        clock: Callable[[], datetime],
        say: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.config_file = config_file
        self.client = client
        self.outbox = outbox
        self.schedule = schedule
        self.clock = clock
        self.say = say
        self._lock = threading.Lock()
        self._stopping = False
        self._crawls: CrawlScheduler | None = None
        self._sweeps: _Sweeps | None = None
        self._keeper = (
            LeaseKeeper(
                lease_for(settings, LEADER_LEASE, process_name()),
                on_gained=self._take_over,
                on_lost=self._step_down,
            )
            if settings.queue.backend == "redis"
            else None
        )

    def start(self) -> None:
        """Lead now (SQLite queue), or try for the lease now and keep trying (Redis)."""
        if self._keeper is None:
            self._take_over()
            return
        if not self._keeper.try_once():
            self.say(f"standing by as scheduler: {_leading_now(self._keeper.lease)}")
        self._keeper.start()

    def leads(self) -> bool:
        """Whether this process leads now."""
        return self._keeper is None or self._keeper.holds()

    def sweep_when_due(self) -> LeaderSweep:
        """The sweeps whose time has come, while this process leads."""
        sweeps = self._sweeps
        if sweeps is None or not self.leads():
            return LeaderSweep()
        notices = (sweeps.sla.run_when_due() or 0) + sweeps.digests.run_when_due()
        spikes = (sweeps.spikes.run_when_due() or 0) if sweeps.spikes is not None else 0
        return LeaderSweep(notices, spikes)

    def stop(self) -> None:
        """Stop scheduling (running crawls finish first), then give the lease back."""
        with self._lock:
            self._stopping = True
            crawls, self._crawls, self._sweeps = self._crawls, None, None
        if crawls is not None:
            self.say("stopping: waiting for running crawls")
            crawls.shutdown(wait=True)
        if self._keeper is not None:
            self._keeper.stop()
            self._keeper.lease.client.close()

    def _take_over(self) -> None:
        with self._lock:
            if self._stopping:
                return
            if self._keeper is not None:
                self.say(f"leading as scheduler ({process_name()})")
            self._sweeps = self._new_sweeps()
            if self.schedule:
                self._crawls = CrawlScheduler(self.settings, self.config_file)
                names = self._crawls.start()
                self.say(f"scheduling {len(names)} source(s): {', '.join(names) or 'none enabled'}")

    def _step_down(self) -> None:
        with self._lock:
            crawls, self._crawls, self._sweeps = self._crawls, None, None
        self.say("no longer leading as scheduler: scheduling stopped")
        if crawls is not None:
            crawls.shutdown(wait=False)

    def _new_sweeps(self) -> _Sweeps:
        settings, client, outbox, clock = self.settings, self.client, self.outbox, self.clock
        return _Sweeps(
            SlaSweeps.for_settings(settings, client, outbox, clock),
            DigestSweeps.for_settings(settings, client, outbox, clock),
            SpikeSweeps.for_settings(settings, client, outbox, clock),
        )


def _leading_now(lease: RedisLease) -> str:
    """Who leads, as far as Redis says."""
    try:
        holder = lease.holder()
    except RedisError as exc:
        return one_line(str(exc))
    return f"{one_line(holder.owner)} leads" if holder is not None else "nobody leads yet"
