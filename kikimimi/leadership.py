"""Keeping a lease in Redis for as long as this process needs it: the scheduler leader's,
and each crawl's on its source (:mod:`core.redis_lease`).

A :class:`LeaseKeeper` thread tries to take the lease (every third of its time to live, and
again just when the holder's runs out), renews it every third of its time to live, and gives
it back when it stops. It *holds* the lease only until the time the last renewal granted
runs out, counted from before that renewal was sent, so it never believes it holds a lease
that Redis has let expire. It has *lost* the lease when a renewal finds that someone else
holds the key, or when no renewal got through before that time (Redis down, or out of reach):
``on_lost`` runs at once, and it tries to take the lease again like a newcomer.

Its Redis client answers or fails within a tenth of the lease and never retries
(:func:`config.redis_connection` with ``quick_seconds``), so no command keeps it waiting
much past the time its lease runs out.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

from config import Settings, redis_connection
from core import RedisError, RedisLease

__all__ = ["LeaseKeeper", "lease_for"]

logger = logging.getLogger(__name__)

RENEWALS_PER_LEASE = 3
RETRIES_PER_LEASE = 10
"""After a failed command, the keeper tries again after a tenth of the lease."""
MIN_WAIT_SECONDS = 0.05


def lease_for(settings: Settings, name: str, owner: str) -> RedisLease:
    """The lease ``<redis.key_prefix>:<name>`` held as ``owner``, lasting
    ``scheduler.lease_seconds``."""
    seconds = settings.scheduler.lease_seconds
    client = redis_connection(settings, quick_seconds=seconds / RETRIES_PER_LEASE)
    return RedisLease(client, f"{settings.redis.key_prefix}:{name}", owner, seconds)


class LeaseKeeper(threading.Thread):
    """Takes and keeps ``lease`` (see the module); ``on_gained`` and ``on_lost`` run on the
    keeper's thread, or on the caller's for :meth:`try_once`."""

    def __init__(
        self,
        lease: RedisLease,
        *,
        on_gained: Callable[[], None] = lambda: None,
        on_lost: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(name=f"lease {lease.key}", daemon=True)
        self.lease = lease
        self.ttl = lease.ttl_seconds
        self.on_gained = on_gained
        self.on_lost = on_lost
        self._stopping = threading.Event()
        self._held = False
        self._valid_until = 0.0
        self._next_attempt = 0.0
        self._failing = False

    def holds(self) -> bool:
        """Whether this process holds the lease now, by its own clock."""
        return self._held and time.monotonic() < self._valid_until

    def try_once(self) -> bool:
        """Try to take (or renew) the lease now; whether it is held."""
        self._attempt()
        return self.holds()

    def run(self) -> None:
        while not self._stopping.wait(max(self._next_attempt - time.monotonic(), 0.0)):
            self._attempt()

    def stop(self) -> None:
        """Stop keeping the lease and give it back if held (with Redis away, it runs out by
        itself)."""
        self._stopping.set()
        if self.is_alive():
            self.join()
        if not self._held:
            return
        self._held = False
        try:
            self.lease.release()
        except RedisError as exc:
            logger.warning("%s; it runs out by itself in %g s at most", exc, self.ttl)

    def _attempt(self) -> None:
        sent = time.monotonic()
        try:
            ours = self.lease.renew() if self._held else self.lease.acquire()
            wait = self.ttl / RENEWALS_PER_LEASE if ours else self._until_free()
        except RedisError as exc:
            self._failed(exc)
            return
        if self._failing:
            logger.warning("lease %s: Redis answers again", self.lease.key)
            self._failing = False
        if ours:
            self._valid_until = sent + self.ttl
            if not self._held:
                self._gain()
        elif self._held:
            self._lose("another process holds it now")
        self._next_attempt = time.monotonic() + wait

    def _gain(self) -> None:
        """Hold the lease and run ``on_gained``; if that fails, give the lease back (so that
        another process can do better) and run ``on_lost`` to undo what it began."""
        self._held = True
        try:
            self.on_gained()
        except Exception:
            logger.exception("lease %s: taking over failed; giving it back", self.lease.key)
            self._held = False
            with contextlib.suppress(RedisError):
                self.lease.release()
            self.on_lost()

    def _until_free(self) -> float:
        """How long until the lease someone else holds runs out (at most a renewal's time)."""
        holder = self.lease.holder()
        left = holder.expires_in if holder is not None else 0.0
        return max(min(left, self.ttl / RENEWALS_PER_LEASE), MIN_WAIT_SECONDS)

    def _failed(self, error: RedisError) -> None:
        """A command failed: try again soon; once the lease has run out, it is lost."""
        if not self._failing:
            logger.warning("lease %s: %s; trying again", self.lease.key, error)
            self._failing = True
        now = time.monotonic()
        self._next_attempt = now + self.ttl / RETRIES_PER_LEASE
        if self._held and now >= self._valid_until:
            self._lose("no renewal got through in time")
        elif self._held:
            self._next_attempt = min(self._next_attempt, self._valid_until)

    def _lose(self, why: str) -> None:
        self._held = False
        logger.warning("lease %s lost: %s", self.lease.key, why)
        self.on_lost()
