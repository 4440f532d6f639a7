"""The SQLite helper: one transaction style for every state file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.sqlite import open_database, transaction

SCHEMA = "CREATE TABLE IF NOT EXISTS things (name TEXT PRIMARY KEY);"


def names(path: Path) -> list[str]:
    db = open_database(path, SCHEMA)
    try:
        return [row[0] for row in db.execute("SELECT name FROM things ORDER BY name")]
    finally:
        db.close()


def test_a_transaction_commits_when_its_block_ends(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite", SCHEMA)
    with transaction(db) as inside:
        inside.execute("INSERT INTO things VALUES ('a'), ('b')")
        assert db.in_transaction
    assert not db.in_transaction
    assert names(tmp_path / "t.sqlite") == ["a", "b"]  # seen from another connection
    db.close()


def test_a_transaction_rolls_back_when_its_block_raises(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite", SCHEMA)
    with pytest.raises(RuntimeError), transaction(db) as inside:
        inside.execute("INSERT INTO things VALUES ('a')")
        raise RuntimeError("half-way")
    assert not db.in_transaction
    assert names(tmp_path / "t.sqlite") == []
    db.close()


def test_a_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    first = open_database(tmp_path / "t.sqlite", SCHEMA)
    second = open_database(tmp_path / "t.sqlite", SCHEMA, busy_timeout_seconds=0.05)
    with transaction(first), pytest.raises(sqlite3.OperationalError, match="locked"):
        second.execute("BEGIN IMMEDIATE")
    first.close()
    second.close()
