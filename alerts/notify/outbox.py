"""The durable outbox: every notice is stored once, then sent until its channel takes it.

One SQLite file in WAL mode, safe across processes. ``enqueue`` stores notices (a key that is
already there is ignored, so a replayed batch never sends twice); ``deliver_due`` claims due
notices one at a time under a lease, sends each, and marks it delivered only after the
channel took it. A retryable error schedules that notice's next attempt after
``min(max_backoff, max(retry_after, base_backoff * 2**attempts))`` seconds, and the channel's
other due notices wait ``max(retry_after, base_backoff)`` (one probe per pause while it is
down; the next probe is a notice with fewer failed attempts, so one notice that keeps failing
never holds the others back for long). Nothing is ever dropped. A permanent error
marks the notice ``failed`` with its reason; it is kept, listed by ``failed()`` and sent again
after ``retry_failed()``. A notice whose channel is not configured (or is disabled) stays
pending with an error saying so. Delivered notices are kept until ``purge_delivered`` (the
main job's notifier runs it with ``alerting.keep_delivered_days``).

Delivery is at least once: a process killed between the send and the mark leaves the claim
to expire, and the notice is sent again; channels carry the notice key (webhook header,
Zendesk ``Idempotency-Key``, mail ``Message-ID``) so receivers drop the repeat.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from alerts.notify.channels.base import Channel
from core import DeliveryError, Notice, RecordError, open_database, parse_record, transaction

__all__ = ["Attempt", "DeliveryReport", "Outbox", "OutboxCounts", "OutboxEntry"]

log = logging.getLogger(__name__)

Status = Literal["pending", "delivered", "failed"]
Outcome = Literal["delivered", "retrying", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notices (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until REAL NOT NULL DEFAULT 0,
    enqueued_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    delivered_at REAL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS notices_due ON notices (status, next_attempt_at, enqueued_at);
"""
_COLUMNS = (
    "key, channel, payload, status, attempts, next_attempt_at, enqueued_at, delivered_at,"
    " last_error"
)


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


class Outbox:
    """The outbox in one SQLite file; any number of processes may share it."""

    def __init__(
        self,
        path: Path,
        *,
        base_backoff_seconds: float = 30.0,
        max_backoff_seconds: float = 3600.0,
        lease_seconds: float = 300.0,
        busy_timeout_seconds: float = 30.0,
    ) -> None:
        if base_backoff_seconds < 0 or max_backoff_seconds < base_backoff_seconds:
            raise ValueError("need 0 <= base_backoff_seconds <= max_backoff_seconds")
        self.path = path
        self.base_backoff_seconds = base_backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.lease_seconds = lease_seconds
        self._lock = threading.RLock()
        # WAL + NORMAL: a committed notice survives a killed process (not a power cut mid-write)
        self._db = open_database(path, _SCHEMA, busy_timeout_seconds)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, transaction(self._db) as db:
            yield db

    def enqueue(self, notices: Iterable[Notice], now: float | None = None) -> int:
        """Store notices durably, each key once; returns how many were new."""
        at = time.time() if now is None else now
        rows = [(n.key, n.channel, n.model_dump_json(), at, at, at) for n in notices]
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO notices"
                " (key, channel, payload, next_attempt_at, enqueued_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            return db.total_changes - before

    def deliver_due(
        self, channels: Mapping[str, Channel], now: float | None = None, limit: int = 100
    ) -> DeliveryReport:
        """Send up to ``limit`` due notices through ``channels`` (by name), oldest first."""
        at = time.time() if now is None else now
        unroutable = self._mark_unroutable(channels, at)
        attempts: list[Attempt] = []
        tried: set[str] = set()
        resting: set[str] = set()  # channels that answered "later" in this run
        while len(attempts) < limit:
            usable = [name for name in channels if name not in resting]
            entry = self._claim(usable, tried, at)
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

    def _claim(self, channels: list[str], tried: set[str], at: float) -> OutboxEntry | None:
        if not channels:
            return None
        marks = ",".join("?" * len(channels))
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM notices"  # noqa: S608 (placeholders only)
                f" WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ?"
                f" AND channel IN ({marks}) ORDER BY next_attempt_at, attempts, enqueued_at, key"
                " LIMIT ?",
                (at, at, *channels, len(tried) + 1),
            ).fetchall()
            row = next((r for r in rows if r[0] not in tried), None)
            if row is None:
                return None
            db.execute(
                "UPDATE notices SET lease_until = ?, attempts = attempts + 1 WHERE key = ?",
                (at + self.lease_seconds, row[0]),
            )
        return _entry(row)

    def _finish(
        self,
        key: str,
        status: Status,
        at: float,
        *,
        error: str | None = None,
        next_attempt_at: float | None = None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE notices SET status = ?, lease_until = 0, updated_at = ?,"
                " next_attempt_at = COALESCE(?, next_attempt_at),"
                " delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END,"
                " last_error = CASE WHEN ? = 'delivered' THEN NULL ELSE ? END"
                " WHERE key = ?",
                (status, at, next_attempt_at, status, at, status, error, key),
            )

    def _rest(self, channel: str, until: float, at: float, reason: str) -> None:
        """Hold the channel's due notices until ``until`` (no attempt is counted)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE notices SET next_attempt_at = ?, updated_at = ?, last_error = ?"
                " WHERE channel = ? AND status = 'pending' AND next_attempt_at < ?"
                " AND lease_until <= ?",
                (
                    until,
                    at,
                    f"waiting for the channel's Retry-After ({reason})",
                    channel,
                    until,
                    at,
                ),
            )

    def _mark_unroutable(self, channels: Mapping[str, Channel], at: float) -> int:
        names = tuple(channels)
        where = "status = 'pending'"
        if names:
            where += f" AND channel NOT IN ({','.join('?' * len(names))})"
        message = "'channel ' || quote(channel) || ' is not configured or is disabled'"
        with self._transaction() as db:
            db.execute(
                f"UPDATE notices SET updated_at = ?, last_error = {message}"  # noqa: S608
                f" WHERE {where} AND last_error IS NOT {message}",
                (at, *names),
            )
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM notices WHERE {where}",  # noqa: S608
                names,
            ).fetchone()
        return int(count)

    def retry_failed(self, keys: Iterable[str] | None = None, now: float | None = None) -> int:
        """Make failed notices (all, or those of ``keys``) pending again; returns how many."""
        at = time.time() if now is None else now
        with self._transaction() as db:
            before = db.total_changes
            sql = (
                "UPDATE notices SET status = 'pending', attempts = 0, next_attempt_at = ?,"
                " updated_at = ? WHERE status = 'failed'"
            )
            if keys is None:
                db.execute(sql, (at, at))
            else:
                db.executemany(sql + " AND key = ?", [(at, at, key) for key in keys])
            return db.total_changes - before

    def release_leases(self) -> int:
        """End every claim (the one notifier restarted after a crash); returns how many.

        A notice whose send was cut short is sent again: receivers de-duplicate on its key.
        """
        with self._lock:
            cursor = self._db.execute(
                "UPDATE notices SET lease_until = 0 WHERE status = 'pending' AND lease_until > 0"
            )
        return cursor.rowcount

    def get(self, key: str) -> OutboxEntry | None:
        """The entry of one notice key, if stored."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM notices WHERE key = ?",  # noqa: S608
                (key,),
            ).fetchone()
        return None if row is None else _entry(row)

    def pending(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Notices not delivered yet, next due first."""
        return self._list("pending", channel, limit)

    def failed(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Notices that failed for good, with their reasons."""
        return self._list("failed", channel, limit)

    def delivered(self, channel: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Delivered notices, oldest first."""
        return self._list("delivered", channel, limit)

    def recent(self, kind: str, limit: int = 50) -> list[Notice]:
        """The notices of ``kind`` (e.g. ``spike``), newest first, whatever their delivery
        status: one per event (a notice sent to several channels is listed once)."""
        sql = (
            "SELECT payload FROM notices WHERE json_extract(payload, '$.kind') = ?"
            " ORDER BY enqueued_at DESC, key"
        )
        found: dict[str, Notice] = {}
        with self._lock:
            rows = self._db.execute(sql, (kind,)).fetchall()
        for (payload,) in rows:
            try:
                notice = parse_record(Notice, payload)
            except RecordError:
                continue  # a payload this version cannot read is skipped
            found.setdefault(notice.key.removesuffix(f":{notice.channel}"), notice)
            if len(found) == limit:
                break
        return list(found.values())

    def _list(self, status: Status, channel: str | None, limit: int) -> list[OutboxEntry]:
        sql = f"SELECT {_COLUMNS} FROM notices WHERE status = ?"  # noqa: S608
        params: tuple[object, ...] = (status,)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        sql += " ORDER BY next_attempt_at, enqueued_at, key LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*params, limit)).fetchall()
        return [_entry(row) for row in rows]

    def counts(self, channel: str | None = None) -> OutboxCounts:
        """Notices per state, for all channels or one."""
        sql = (
            "SELECT COALESCE(SUM(status = 'pending'), 0),"
            " COALESCE(SUM(status = 'pending' AND attempts > 0), 0),"
            " COALESCE(SUM(status = 'delivered'), 0), COALESCE(SUM(status = 'failed'), 0)"
            " FROM notices"
        )
        params: tuple[str, ...] = ()
        if channel is not None:
            sql += " WHERE channel = ?"
            params = (channel,)
        with self._lock:
            pending, retrying, delivered, failed = self._db.execute(sql, params).fetchone()
        return OutboxCounts(int(pending), int(retrying), int(delivered), int(failed))

    def purge_delivered(self, older_than_seconds: float, now: float | None = None) -> int:
        """Forget delivered notices older than that (their keys may then be enqueued again)."""
        at = time.time() if now is None else now
        with self._transaction() as db:
            before = db.total_changes
            db.execute(
                "DELETE FROM notices WHERE status = 'delivered' AND delivered_at < ?",
                (at - older_than_seconds,),
            )
            return db.total_changes - before


def _entry(row: Sequence[Any]) -> OutboxEntry:
    key, channel, payload, status, attempts, next_at, enqueued_at, delivered_at, error = row
    try:
        notice: Notice | None = parse_record(Notice, payload)
    except RecordError:
        notice = None
    return OutboxEntry(
        key=key,
        channel=channel,
        notice=notice,
        status=status,
        attempts=attempts,
        next_attempt_at=next_at,
        enqueued_at=enqueued_at,
        delivered_at=delivered_at,
        last_error=error,
    )
