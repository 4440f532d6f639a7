"""How an outbox delivers, whatever stores it: claim a due notice, send it, mark the outcome,
back off while its channel is down (the promises are in :mod:`alerts.notify.outbox`).

A backend subclasses :class:`DeliveringOutbox` with five storage steps: list the notices of
a status, mark the notices of unconfigured channels, claim the next due notice atomically,
finish a claim, and rest a channel's due notices until a time.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Self

from alerts.notify.channels.base import Channel
from alerts.notify.outbox import Attempt, DeliveryReport, OutboxEntry, Status
from core import DeliveryError

__all__ = ["DeliveringOutbox"]

log = logging.getLogger("alerts.notify.outbox")


class DeliveringOutbox(ABC):
    """The delivery loop and backoff of an :class:`~alerts.notify.outbox.Outbox`."""

    def __init__(
        self, *, base_backoff_seconds: float, max_backoff_seconds: float, lease_seconds: float
    ) -> None:
        if base_backoff_seconds < 0 or max_backoff_seconds < base_backoff_seconds:
            raise ValueError("need 0 <= base_backoff_seconds <= max_backoff_seconds")
        self.base_backoff_seconds = base_backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.lease_seconds = lease_seconds

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def deliver_due(
        self, channels: Mapping[str, Channel], now: float | None = None, limit: int = 100
    ) -> DeliveryReport:
        """Send up to ``limit`` due notices through ``channels`` (by name), oldest first."""
        at = time.time() if now is None else now
        unroutable = self._mark_unroutable(tuple(channels), at)
        attempts: list[Attempt] = []
        tried: set[str] = set()
        resting: set[str] = set()  # channels that answered "later" in this run
        while len(attempts) < limit:
            usable = [name for name in channels if name not in resting]
            entry = self._claim(usable, tried, at) if usable else None
            if entry is None:
                break
            tried.add(entry.key)
            attempt = self._attempt(channels[entry.channel], entry, at)
            attempts.append(attempt)
            if attempt.outcome == "retrying":
                resting.add(entry.channel)
                pause = max(attempt.retry_after or 0.0, self.base_backoff_seconds)
                until = at + min(pause, self.max_backoff_seconds)
                self._rest(entry.channel, until, at, attempt.error or "")
        return DeliveryReport(tuple(attempts), unroutable)

    def _attempt(self, channel: Channel, entry: OutboxEntry, at: float) -> Attempt:
        if entry.notice is None:
            error = "the stored notice no longer parses"
            self._finish(entry.key, "failed", at, error=error)
            return Attempt(entry.key, entry.channel, "failed", error)
        try:
            channel.send(entry.notice)
        except DeliveryError as exc:
            if not exc.retryable:
                log.warning("notice %s failed for good: %s", entry.key, exc)
                self._finish(entry.key, "failed", at, error=exc.reason)
                return Attempt(entry.key, entry.channel, "failed", exc.reason)
            return self._retry_later(entry, at, exc.reason, exc.retry_after)
        except Exception:
            log.exception("channel %r raised an unexpected error", entry.channel)
            return self._retry_later(entry, at, "unexpected error in the channel (see the log)")
        self._finish(entry.key, "delivered", at)
        return Attempt(entry.key, entry.channel, "delivered")

    def _retry_later(
        self, entry: OutboxEntry, at: float, reason: str, retry_after: float | None = None
    ) -> Attempt:
        delay = self.backoff(entry.attempts, retry_after)
        log.info("notice %s will be retried in %.0f s: %s", entry.key, delay, reason)
        self._finish(entry.key, "pending", at, error=reason, next_attempt_at=at + delay)
        return Attempt(entry.key, entry.channel, "retrying", reason, at + delay, retry_after)

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next try after ``attempts`` earlier failed tries."""
        exponential = self.base_backoff_seconds * 2.0 ** min(attempts, 60)
        return min(self.max_backoff_seconds, max(retry_after or 0.0, exponential))

    def pending(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Notices not delivered yet, next due first."""
        return self._list("pending", channel, limit)

    def failed(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Notices that failed for good, with their reasons."""
        return self._list("failed", channel, limit)

    def delivered(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Delivered notices, oldest first."""
        return self._list("delivered", channel, limit)

    @abstractmethod
    def _list(self, status: Status, channel: str | None, limit: int) -> list[OutboxEntry]:
        """Up to ``limit`` notices of ``status`` (of ``channel`` only, if given), in the
        order :meth:`pending` and :meth:`delivered` promise."""

    @abstractmethod
    def _mark_unroutable(self, channels: Sequence[str], at: float) -> int:
        """Give the pending notices of every channel not in ``channels`` the error that says
        so (once: a notice that has it already is not rewritten); returns how many there are."""

    @abstractmethod
    def _claim(self, channels: Sequence[str], tried: set[str], at: float) -> OutboxEntry | None:
        """Atomically take the next due, unclaimed notice of ``channels`` (not one of
        ``tried``) under a lease of ``lease_seconds``, counting the attempt: the one due
        first, then with the fewest attempts, enqueued first, lowest key. None when none is
        due."""

    @abstractmethod
    def _finish(
        self,
        key: str,
        status: Status,
        at: float,
        *,
        error: str | None = None,
        next_attempt_at: float | None = None,
    ) -> None:
        """End a claim with its outcome (delivered, failed, or pending again from
        ``next_attempt_at``)."""

    @abstractmethod
    def _rest(self, channel: str, until: float, at: float, reason: str) -> None:
        """Hold the channel's unclaimed notices due before ``until`` until then (no attempt
        is counted)."""
