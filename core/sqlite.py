"""The one way Kikimimi opens its SQLite state files (queue, crawl state, outbox) and runs a
transaction on them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

__all__ = ["open_database", "transaction"]


def open_database(
    path: Path,
    schema: str,
    busy_timeout_seconds: float = 30.0,
    synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
) -> sqlite3.Connection:
    """A connection in WAL mode (readers never block the writer; safe across processes),
    autocommit so callers write in :func:`transaction`\\ s, schema applied.

    With ``NORMAL``, a committed transaction survives a killed process; ``FULL`` also
    survives a power cut at the cost of an fsync per commit.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, timeout=busy_timeout_seconds, isolation_level=None, check_same_thread=False
    )
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.executescript(schema)
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` on a connection from :func:`open_database`, committed when the block
    ends and rolled back when it raises.

    Taking the write lock at the start, a transaction that reads and then writes waits for
    other writers (up to the busy timeout) instead of failing when it would upgrade. A
    connection shared by threads needs the caller's lock around the block.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
