"""The outbox in one SQLite file (WAL), safe across the processes of one machine.

A claim is one ``BEGIN IMMEDIATE`` transaction (select the next due notice, set its lease),
so two processes never claim the same notice. A full disk leaves every write as
:class:`~core.errors.StorageFullError`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from alerts.notify.delivery import DeliveringOutbox
from alerts.notify.outbox import (
    OutboxCounts,
    OutboxEntry,
    Status,
    one_per_event,
    stored_notice,
)
from core import Notice, disk_full_errors, open_database, transaction

__all__ = ["SqliteOutbox"]

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


class SqliteOutbox(DeliveringOutbox):
    """An :class:`~alerts.notify.outbox.Outbox` in one SQLite file; any number of processes
    of one machine may share it."""

    def __init__(
        self,
        path: Path,
        *,
        base_backoff_seconds: float = 30.0,
        max_backoff_seconds: float = 3600.0,
        lease_seconds: float = 300.0,
        busy_timeout_seconds: float = 30.0,
    ) -> None:
        super().__init__(
            base_backoff_seconds=base_backoff_seconds,
            max_backoff_seconds=max_backoff_seconds,
            lease_seconds=lease_seconds,
        )
        self.path = path
        self._lock = threading.RLock()
        # WAL + NORMAL: a committed notice survives a killed process (not a power cut mid-write)
        with self._disk_full_errors():
            self._db = open_database(path, _SCHEMA, busy_timeout_seconds)

    def close(self) -> None:
        self._db.close()

    def _disk_full_errors(self) -> AbstractContextManager[None]:
        return disk_full_errors(f"the notice outbox ({self.path})", self.path)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._disk_full_errors(), self._lock, transaction(self._db) as db:
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

    def _claim(self, channels: Sequence[str], tried: set[str], at: float) -> OutboxEntry | None:
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

    def _mark_unroutable(self, channels: Sequence[str], at: float) -> int:
        where = "status = 'pending'"
        if channels:
            where += f" AND channel NOT IN ({','.join('?' * len(channels))})"
        message = "'channel ' || quote(channel) || ' is not configured or is disabled'"
        with self._transaction() as db:
            db.execute(
                f"UPDATE notices SET updated_at = ?, last_error = {message}"  # noqa: S608
                f" WHERE {where} AND last_error IS NOT {message}",
                (at, *channels),
            )
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM notices WHERE {where}",  # noqa: S608
                tuple(channels),
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
        """End every claim (the one notifier of this machine restarted after a crash);
        returns how many. A notice whose send was cut short is sent again: receivers
        de-duplicate on its key."""
        with self._disk_full_errors(), self._lock:
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

    def recent(self, kind: str, limit: int = 50) -> list[Notice]:
        """The notices of ``kind`` (e.g. ``spike``), newest first, whatever their delivery
        status: one per event (a notice sent to several channels is listed once)."""
        sql = (
            "SELECT payload FROM notices WHERE json_extract(payload, '$.kind') = ?"
            " ORDER BY enqueued_at DESC, key"
        )
        with self._lock:
            rows = self._db.execute(sql, (kind,)).fetchall()
        return one_per_event((payload for (payload,) in rows), limit)

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
    return OutboxEntry(
        key=key,
        channel=channel,
        notice=stored_notice(payload),
        status=status,
        attempts=attempts,
        next_attempt_at=next_at,
        enqueued_at=enqueued_at,
        delivered_at=delivered_at,
        last_error=error,
    )
