"""The mentions a dead pipeline worker claimed, handed to the living at once.

With the Redis queue, an entry that a worker claimed and never acknowledged is taken over
by another once it has been idle longer than the claim's lease (the pipeline's
``lease_seconds``, five minutes: longer than the slowest batch). Sooner than that, each
pipeline worker looks every third of ``queue.worker_timeout_seconds`` for consumers of the
group without a heartbeat (:mod:`kikimimi.workers`) and gives their entries back: claimable
at once, without counting a delivery (:meth:`core.RedisMentionQueue.release_consumer`).
A worker that was only out of Redis's reach for that long loses its claims the same way;
its batch is then processed twice, which the idempotent stages absorb.

The consumers are read before the heartbeats, and a worker beats before it first claims,
so a worker that has just started is never taken for dead.
"""

from __future__ import annotations

import logging
import time

from core import RedisError, RedisMentionQueue, RedisWorkerRegistry
from kikimimi.workers import BEATS_PER_TIMEOUT

__all__ = ["DeadWorkerReaper"]

logger = logging.getLogger(__name__)


class DeadWorkerReaper:
    """Gives back the entries of the queue's consumers that have no heartbeat (see the
    module), when due."""

    def __init__(
        self, queue: RedisMentionQueue, registry: RedisWorkerRegistry, own_name: str
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.own_name = own_name
        self.every_seconds = registry.timeout_seconds / BEATS_PER_TIMEOUT
        self._next = 0.0

    def run_when_due(self) -> int:
        """Look when due: how many entries were given back. Redis away is one warning (the
        pipeline pauses on it by itself); the next look tries again."""
        if time.monotonic() < self._next:
            return 0
        self._next = time.monotonic() + self.every_seconds
        try:
            return self._reap()
        except RedisError as exc:
            logger.warning("looking for dead pipeline workers failed: %s", exc)
            return 0

    def _reap(self) -> int:
        consumers = self.queue.group().consumers
        alive = {beat.name for beat in self.registry.alive()}
        released = 0
        for consumer in consumers:
            if consumer.name == self.own_name or consumer.name in alive:
                continue
            given_back = self.queue.release_consumer(consumer.name)
            if given_back:
                logger.warning(
                    "pipeline worker %s has no heartbeat: %d mention(s) it claimed go to "
                    "the others",
                    consumer.name,
                    given_back,
                )
            released += given_back
        return released
