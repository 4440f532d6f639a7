"""Who a process of ``kikimimi run`` is, and its heartbeat in Redis.

Every process has a name of its own, ``<host>-<pid>-<random>``: its pipeline claims from
the Redis queue as the consumer of that name, it owns its leases under it, and
``kikimimi status`` lists it by it. With the Redis queue, a :class:`Heartbeat` thread
records the process (role, name, host, PID, start, last beat, mentions processed) every
third of ``queue.worker_timeout_seconds``; a process silent that long counts as dead
(:mod:`core.redis_workers`).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from functools import cache

from config import Settings, redis_connection
from core import RedisError, RedisWorkerRegistry, WorkerBeat

__all__ = ["BEATS_PER_TIMEOUT", "Heartbeat", "process_name", "worker_registry"]

logger = logging.getLogger(__name__)

BEATS_PER_TIMEOUT = 3


def process_name() -> str:
    """This process's name: ``<host>-<pid>-<random>``, the same for its whole life."""
    return _name_of(os.getpid())


@cache
def _name_of(pid: int) -> str:
    return f"{socket.gethostname()}-{pid}-{secrets.token_hex(3)}"


def worker_registry(settings: Settings) -> RedisWorkerRegistry:
    """The heartbeats of the deployment in the configured Redis."""
    return RedisWorkerRegistry(
        redis_connection(settings),
        settings.redis.key_prefix,
        settings.queue.worker_timeout_seconds,
    )


class Heartbeat(threading.Thread):
    """Records this process in ``registry`` every third of its timeout until stopped, then
    takes it off the list. ``processed`` says how many mentions it has processed so far."""

    def __init__(
        self, registry: RedisWorkerRegistry, role: str, processed: Callable[[], int]
    ) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.registry = registry
        self.role = role
        self.processed = processed
        self.name_in_registry = process_name()
        self.started_at = time.time()
        self._stopping = threading.Event()
        self._failing = False

    def beat(self) -> None:
        """Record a beat now (:class:`core.RedisError` when Redis does not take it)."""
        self.registry.beat(
            WorkerBeat(
                name=self.name_in_registry,
                role=self.role,
                host=socket.gethostname(),
                pid=os.getpid(),
                started_at=self.started_at,
                beat_at=time.time(),
                processed=self.processed(),
            )
        )

    def begin(self) -> None:
        """Beat now (a warning when Redis does not take it), then every third of the
        timeout on the thread."""
        try:
            self.beat()
        except RedisError as exc:
            logger.warning("heartbeat: %s; trying again", exc)
            self._failing = True
        self.start()

    def run(self) -> None:
        every = self.registry.timeout_seconds / BEATS_PER_TIMEOUT
        while not self._stopping.wait(every):
            try:
                self.beat()
            except RedisError as exc:
                if not self._failing:
                    logger.warning("heartbeat: %s; trying again every %g s", exc, every)
                self._failing = True
                continue
            if self._failing:
                logger.warning("heartbeat: Redis takes it again")
                self._failing = False

    def stop(self) -> None:
        """Stop beating and leave the list (with Redis away, the beat runs out by itself)."""
        self._stopping.set()
        if self.is_alive():
            self.join()
        try:
            self.registry.leave(self.name_in_registry)
        except RedisError as exc:
            logger.warning("heartbeat: %s", exc)
