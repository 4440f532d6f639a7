"""The one way Kikimimi opens its SQLite state files (queue, crawl state, outbox)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

__all__ = ["open_database"]


def open_database(
    path: Path,
    schema: str,
    busy_timeout_seconds: float = 30.0,
    synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
) -> sqlite3.Connection:
    """A connection in WAL mode (readers never block the writer; safe across processes),
    autocommit so callers run explicit ``BEGIN IMMEDIATE`` transactions, schema applied.

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
