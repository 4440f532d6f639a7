"""The durable outbox: every notice is stored once, then sent until its channel takes it.

Two backends keep the same promises: one SQLite file in the state directory
(:mod:`alerts.notify.sqlite_outbox`, the processes of one machine) and Redis
(:mod:`alerts.notify.redis_outbox`, notifiers on any number of machines); the delivery
itself is theirs in common (:mod:`alerts.notify.delivery`).

``enqueue`` stores notices (a key that is already there is ignored, so a replayed batch
never sends twice); ``deliver_due`` claims due notices one at a time under a lease, sends
each, and marks it delivered only after the channel took it. A claim is atomic: two
notifiers never hold the same notice at once. A retryable error schedules that notice's next
attempt after ``min(max_backoff, max(retry_after, base_backoff * 2**attempts))`` seconds, and
the channel's other due notices wait ``max(retry_after, base_backoff)`` (one probe per pause
while it is down; the next probe is a notice with fewer failed attempts, so one notice that
keeps failing never holds the others back for long). Nothing is ever dropped. A permanent
error marks the notice ``failed`` with its reason; it is kept, listed by ``failed()`` and
sent again after ``retry_failed()``. A notice whose channel is not configured (or is
disabled) stays pending with an error saying so. Delivered notices are kept until
``purge_delivered`` (the main job's notifier runs it with ``alerting.keep_delivered_days``).

Delivery is at least once: a process killed between the send and the mark leaves the claim
to expire, and the notice is sent again; channels carry the notice key (webhook header,
Zendesk ``Idempotency-Key``, mail ``Message-ID``) so receivers drop the repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol, Self

from alerts.notify.channels.base import Channel
from core import Notice, RecordError, parse_record

__all__ = [
    "Attempt",
    "DeliveryReport",
    "Outbox",
    "OutboxCounts",
    "OutboxEntry",
    "Outcome",
    "Status",
    "one_per_event",
    "stored_notice",
    "unroutable_reason",
]

Status = Literal["pending", "delivered", "failed"]
Outcome = Literal["delivered", "retrying", "failed"]


def unroutable_reason(channel: str) -> str:
    """The error a pending notice carries while its channel is not configured (SQL's
    ``quote``: the name in single quotes, inner ones doubled)."""
    quoted = channel.replace("'", "''")
    return f"channel '{quoted}' is not configured or is disabled"


def stored_notice(payload: str) -> Notice | None:
    """The notice a stored payload holds; None when this version cannot read it."""
    try:
        return parse_record(Notice, payload)
    except RecordError:
        return None


def one_per_event(payloads: Iterable[str], limit: int) -> list[Notice]:
    """The first ``limit`` events of stored payloads (newest first): a notice sent to
    several channels counts once; payloads this version cannot read are skipped."""
    found: dict[str, Notice] = {}
    for payload in payloads:
        notice = stored_notice(payload)
        if notice is None:
            continue
        found.setdefault(notice.key.removesuffix(f":{notice.channel}"), notice)
        if len(found) == limit:
            break
    return list(found.values())


@dataclass(frozen=True)
class OutboxEntry:
    """A stored notice and where its delivery stands."""

    key: str
    channel: str
    notice: Notice | None  # None when the stored payload no longer parses
    status: Status
    attempts: int
    next_attempt_at: float
    enqueued_at: float
    delivered_at: float | None
    last_error: str | None


@dataclass(frozen=True)
class OutboxCounts:
    """How many notices are in each state; ``retrying`` is the pending ones that failed once."""

    pending: int = 0
    retrying: int = 0
    delivered: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Attempt:
    """One send in a ``deliver_due`` run."""

    key: str
    channel: str
    outcome: Outcome
    error: str | None = None
    next_attempt_at: float | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_due`` run did.

    ``unroutable`` counts pending notices whose channel is not configured or is disabled.
    """

    attempts: tuple[Attempt, ...] = ()
    unroutable: int = 0

    def _count(self, outcome: Outcome) -> int:
        return sum(1 for a in self.attempts if a.outcome == outcome)

    @property
    def delivered(self) -> int:
        return self._count("delivered")

    @property
    def retrying(self) -> int:
        return self._count("retrying")

    @property
    def failed(self) -> int:
        return self._count("failed")


class Outbox(Protocol):
    """What the pipeline, the sweeps and the digests fill, the notifier empties and
    ``kikimimi status`` and the web app look into (see the module for the promises)."""

    def enqueue(self, notices: Iterable[Notice], now: float | None = None) -> int:
        """Store notices durably, each key once; returns how many were new."""
        ...

    def deliver_due(
        self, channels: Mapping[str, Channel], now: float | None = None, limit: int = 100
    ) -> DeliveryReport:
        """Send up to ``limit`` due notices through ``channels`` (by name), oldest first."""
        ...

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next try after ``attempts`` earlier failed tries."""
        ...

    def retry_failed(self, keys: Iterable[str] | None = None, now: float | None = None) -> int:
        """Make failed notices (all, or those of ``keys``) pending again; returns how many."""
        ...

    def release_leases(self) -> int:
        """End the claims of a notifier that restarted after a crash; returns how many.

        A notice whose send was cut short is sent again: receivers de-duplicate on its key.
        """
        ...

    def get(self, key: str) -> OutboxEntry | None:
        """The entry of one notice key, if stored."""
        ...

    def pending(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Notices not delivered yet, next due first."""
        ...

    def failed(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Notices that failed for good, with their reasons."""
        ...

    def delivered(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Delivered notices, oldest first."""
        ...

    def recent(self, kind: str, limit: int = 50) -> list[Notice]:
        """The notices of ``kind`` (e.g. ``spike``), newest first, whatever their delivery
        status: one per event (a notice sent to several channels is listed once)."""
        ...

    def counts(self, channel: str | None = None) -> OutboxCounts:
        """Notices per state, for all channels or one."""
        ...

    def purge_delivered(self, older_than_seconds: float, now: float | None = None) -> int:
        """Forget delivered notices older than that (their keys may then be enqueued again)."""
        ...

    def close(self) -> None:
        """Let go of the file or connection."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
