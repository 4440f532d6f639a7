"""The durable hand-off between crawlers and the pipeline.

Semantics follow Redis Streams consumer groups, so the Redis implementation
(:mod:`core.redis_mention_queue`) replaces the local one when the stages scale out:
producers ``put`` mentions; a consumer ``claim``\\ s a batch under a lease, processes it and
``ack``\\ s it. A claim that is never acknowledged (the consumer crashed) becomes claimable
again when its lease ends, so nothing is lost; a mention may be delivered twice, which the
stages absorb because mention ids are stable. A claim is acknowledged with its
:data:`Receipt`, which only the queue that issued it understands.

A mention the consumer cannot process (it fails a stage) is *dead-lettered*: taken out of
the queue with its reason, kept until an operator retries it (back into the queue) or drops
it. So is a mention handed out ``max_deliveries`` times and never acknowledged (whatever
took it stopped each time, e.g. killed on it), instead of being handed out forever.

The local implementation is one SQLite file in WAL mode, safe across processes; a full disk
leaves its writes as :class:`~core.errors.StorageFullError`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NewType, Protocol

from core.records import Mention, parse_record
from core.sqlite import open_database, transaction
from core.storage import disk_full_errors

__all__ = [
    "MAX_DELIVERIES",
    "DeadLetter",
    "MentionQueue",
    "QueuedMention",
    "Receipt",
    "SqliteMentionQueue",
    "undelivered_reason",
]

Receipt = NewType("Receipt", str)
"""A queue's own handle on a claimed (or dead-lettered) mention: a row id in SQLite, an
entry id in Redis. Only ever passed back to the queue that issued it."""

MAX_DELIVERIES = 10
"""How often a mention is handed out without being acknowledged before it is dead-lettered."""


def undelivered_reason(deliveries: int) -> str:
    """The dead letter's reason for a mention handed out ``deliveries`` times in vain."""
    return (
        f"handed out {deliveries} times and never acknowledged"
        " (whatever took it stopped before it was done)"
    )


@dataclass(frozen=True)
class QueuedMention:
    """A claimed mention and the receipt to acknowledge it with."""

    receipt: Receipt
    mention: Mention
    enqueued_at: float
    deliveries: int


@dataclass(frozen=True)
class DeadLetter:
    """A mention taken out of the queue because it failed a stage, and why."""

    receipt: Receipt
    mention: Mention
    reason: str
    dead_at: float
    deliveries: int


class MentionQueue(Protocol):
    """What the crawlers write to, the pipeline reads from and operators look into."""

    def put(self, mentions: Iterable[Mention]) -> int:
        """Append mentions durably; returns how many were added."""
        ...

    def claim(self, consumer: str, limit: int, lease_seconds: float) -> list[QueuedMention]:
        """Take up to ``limit`` unclaimed (or lease-expired) mentions, oldest first; one
        handed out ``max_deliveries`` times already is dead-lettered instead. The consumers
        of one queue claim with one lease: in Redis, a claim is taken over once it has been
        held longer than the lease of the consumer taking it over."""
        ...

    def ack(self, receipts: Sequence[Receipt]) -> None:
        """Remove processed mentions for good."""
        ...

    def release_consumer(self, consumer: str) -> int:
        """Give back everything ``consumer`` holds (it restarted after a crash)."""
        ...

    def dead_letter(self, letters: Sequence[tuple[Receipt, str]]) -> None:
        """Take claimed mentions (``(receipt, reason)``) out of the queue for good: they
        failed a stage and would fail again."""
        ...

    def depth(self) -> int:
        """Mentions waiting or in flight (dead letters not included)."""
        ...

    def dead_letter_count(self) -> int:
        """How many mentions are dead-lettered."""
        ...

    def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        """Dead-lettered mentions, newest first."""
        ...

    def retry_dead_letters(self) -> int:
        """Put every dead-lettered mention back at the end of the queue (after a fix);
        returns how many."""
        ...

    def drop_dead_letters(self) -> int:
        """Delete every dead-lettered mention for good; returns how many."""
        ...

    def close(self) -> None:
        """Let go of the file or connection."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS mentions (
    receipt INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL,
    enqueued_at REAL NOT NULL,
    claimed_by TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    deliveries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS mentions_lease ON mentions (lease_until, receipt);
CREATE TABLE IF NOT EXISTS dead_letters (
    receipt INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    enqueued_at REAL NOT NULL,
    deliveries INTEGER NOT NULL,
    reason TEXT NOT NULL,
    dead_at REAL NOT NULL
);
"""


class SqliteMentionQueue:
    """A :class:`MentionQueue` in one SQLite file (WAL), shared by any number of processes."""

    def __init__(
        self,
        path: Path,
        busy_timeout_seconds: float = 30.0,
        max_deliveries: int = MAX_DELIVERIES,
    ) -> None:
        self.path = path
        self.max_deliveries = max_deliveries
        with disk_full_errors(self._name, path):
            self._db = open_database(path, _SCHEMA, busy_timeout_seconds)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    @property
    def _name(self) -> str:
        return f"the mention queue ({self.path})"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with (
            disk_full_errors(self._name, self.path),
            self._lock,  # the pipeline's threads share self._db
            transaction(self._db) as db,
        ):
            yield db

    def put(self, mentions: Iterable[Mention]) -> int:
        now = time.time()
        rows = [(m.model_dump_json(), now) for m in mentions]
        with self._transaction() as db:
            db.executemany("INSERT INTO mentions (payload, enqueued_at) VALUES (?, ?)", rows)
        return len(rows)

    def claim(self, consumer: str, limit: int, lease_seconds: float) -> list[QueuedMention]:
        now = time.time()
        with self._transaction() as db:
            rows = db.execute(
                "SELECT receipt, payload, enqueued_at, deliveries FROM mentions"
                " WHERE lease_until <= ? ORDER BY receipt LIMIT ?",
                (now, limit),
            ).fetchall()
            spent = [row for row in rows if row[3] >= self.max_deliveries]
            rows = [row for row in rows if row[3] < self.max_deliveries]
            _bury(db, [(row[0], undelivered_reason(row[3])) for row in spent], now)
            db.executemany(
                "UPDATE mentions SET claimed_by = ?, lease_until = ?, deliveries = deliveries + 1"
                " WHERE receipt = ?",
                [(consumer, now + lease_seconds, row[0]) for row in rows],
            )
        return [
            QueuedMention(
                Receipt(str(receipt)), parse_record(Mention, payload), enqueued_at, deliveries + 1
            )
            for receipt, payload, enqueued_at, deliveries in rows
        ]

    def ack(self, receipts: Sequence[Receipt]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM mentions WHERE receipt = ?", [(int(r),) for r in receipts])

    def release_consumer(self, consumer: str) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE mentions SET claimed_by = NULL, lease_until = 0 WHERE claimed_by = ?",
                (consumer,),
            )
        return cursor.rowcount

    def dead_letter(self, letters: Sequence[tuple[Receipt, str]]) -> None:
        with self._transaction() as db:
            _bury(db, [(int(receipt), reason) for receipt, reason in letters], time.time())

    def depth(self) -> int:
        return self._count("mentions")

    def dead_letter_count(self) -> int:
        return self._count("dead_letters")

    def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        """Dead-lettered mentions, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT receipt, payload, reason, dead_at, deliveries FROM dead_letters"
                " ORDER BY dead_at DESC, receipt DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            DeadLetter(
                Receipt(str(receipt)), parse_record(Mention, payload), reason, dead_at, deliveries
            )
            for receipt, payload, reason, dead_at, deliveries in rows
        ]

    def retry_dead_letters(self) -> int:
        """Put every dead-lettered mention back at the end of the queue (after a fix);
        returns how many."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO mentions (payload, enqueued_at)"
                " SELECT payload, enqueued_at FROM dead_letters ORDER BY receipt"
            )
            return db.execute("DELETE FROM dead_letters").rowcount

    def drop_dead_letters(self) -> int:
        """Delete every dead-lettered mention for good; returns how many."""
        with self._transaction() as db:
            return db.execute("DELETE FROM dead_letters").rowcount

    def _count(self, table: str) -> int:
        with self._lock:
            (count,) = self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
        return int(count)


def _bury(db: sqlite3.Connection, letters: Sequence[tuple[int, str]], now: float) -> None:
    """Move the queued mentions ``(receipt, reason)`` to the dead letters."""
    db.executemany(
        "INSERT OR REPLACE INTO dead_letters"
        " (receipt, payload, enqueued_at, deliveries, reason, dead_at)"
        " SELECT receipt, payload, enqueued_at, deliveries, ?, ? FROM mentions"
        " WHERE receipt = ?",
        [(reason, now, receipt) for receipt, reason in letters],
    )
    db.executemany("DELETE FROM mentions WHERE receipt = ?", [(r,) for r, _ in letters])
