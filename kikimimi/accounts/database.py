"""The accounts' SQLite file: its schema, opened private to its owner, and how times are
kept in it (UTC seconds since the epoch)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from core import AccountError, open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    teams TEXT NOT NULL,              -- a JSON array of team names, sorted
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,  -- sha256 of the token; the token itself is not kept
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens (user_name);
CREATE TABLE IF NOT EXISTS sessions (
    secret_hash TEXT PRIMARY KEY,      -- sha256 of the cookie's token
    id TEXT NOT NULL UNIQUE,
    user_name TEXT NOT NULL,
    csrf_secret TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_name);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,                 -- 'user:NAME' or 'client:KEY'
    failed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_key ON login_failures (key, failed_at);
"""


def open_accounts_database(path: Path) -> sqlite3.Connection:
    """The accounts file, created readable and writable by its owner only (it holds
    password hashes; SQLite gives its -wal and -shm files the same mode)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        return open_database(path, SCHEMA)
    except (OSError, sqlite3.Error) as exc:
        raise AccountError(f"cannot open the users file {path}: {exc}") from exc


def from_epoch(seconds: float) -> datetime:
    """A time as the file keeps it (``datetime.timestamp()``), back in UTC."""
    return datetime.fromtimestamp(seconds, UTC)
