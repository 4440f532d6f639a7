"""What crawls remember between runs, in one SQLite file (WAL, safe across processes).

- ``cursors``: per (source, query) the position a new run starts from;
- ``seen``: every mention id collected, when, and a fingerprint of its changing fields, so
  a post seen again is dropped, or re-emitted within the refresh window when it changed;
- ``runs``: one row per crawl with its counts and error, for ``kikimimi sources status``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core import Mention, open_database, transaction

__all__ = ["CrawlRun", "CrawlState", "Novelty", "fingerprint"]

Novelty = Literal["new", "changed", "known"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    source TEXT NOT NULL, query TEXT NOT NULL, value TEXT NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (source, query)
);
CREATE TABLE IF NOT EXISTS seen (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, first_seen REAL NOT NULL,
    last_seen REAL NOT NULL, fingerprint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, started_at REAL NOT NULL,
    finished_at REAL NOT NULL, ok INTEGER NOT NULL, pages INTEGER NOT NULL,
    mentions_new INTEGER NOT NULL, mentions_changed INTEGER NOT NULL,
    malformed INTEGER NOT NULL, dropped INTEGER NOT NULL, error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_source ON runs (source, run);
"""


def fingerprint(mention: Mention) -> str:
    """A digest of what may change on a post we already have: text, engagement, deletion."""
    changing = mention.model_dump_json(include={"text", "title", "engagement", "deleted"})
    return hashlib.sha256(changing.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CrawlRun:
    """The outcome of one crawl of one source."""

    source: str
    started_at: float
    finished_at: float
    ok: bool
    pages: int = 0
    mentions_new: int = 0
    mentions_changed: int = 0
    malformed: int = 0
    dropped: int = 0
    error: str | None = None

    @property
    def mentions(self) -> int:
        return self.mentions_new + self.mentions_changed

    def summary(self) -> str:
        """One line for people: what the run found, skipped and how it ended."""
        seconds = self.finished_at - self.started_at
        return (
            f"{self.source}: {self.pages} page(s), {self.mentions_new} new, "
            f"{self.mentions_changed} changed, {self.dropped} already collected, "
            f"{self.malformed} malformed, in {seconds:.1f} s"
            + ("" if self.ok else f" — FAILED: {self.error}")
        )


class CrawlState:
    """Cursors, seen ids and run history of every source."""

    def __init__(self, path: Path, busy_timeout_seconds: float = 30.0) -> None:
        self.path = path
        self._db = open_database(path, _SCHEMA, busy_timeout_seconds)

    def close(self) -> None:
        self._db.close()

    # cursors

    def cursor(self, source: str, query: str) -> str | None:
        row = self._db.execute(
            "SELECT value FROM cursors WHERE source = ? AND query = ?", (source, query)
        ).fetchone()
        return None if row is None else str(row[0])

    def cursors(self, source: str) -> dict[str, str]:
        """Every saved cursor of a source, by query."""
        rows = self._db.execute(
            "SELECT query, value FROM cursors WHERE source = ?", (source,)
        ).fetchall()
        return {str(q): str(v) for q, v in rows}

    def save_cursors(self, source: str, cursors: Mapping[str, str]) -> None:
        now = time.time()
        with transaction(self._db) as db:
            db.executemany(
                "INSERT INTO cursors (source, query, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (source, query) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                [(source, query, value, now) for query, value in cursors.items()],
            )

    # seen ids

    def novelty(self, mention: Mention, refresh_window_seconds: float) -> Novelty:
        """Whether a mention is new, a changed copy of a recent one, or nothing new."""
        row = self._db.execute(
            "SELECT first_seen, fingerprint FROM seen WHERE id = ?", (mention.id,)
        ).fetchone()
        if row is None:
            return "new"
        first_seen, known_fingerprint = row
        recent = time.time() - float(first_seen) <= refresh_window_seconds
        changed = known_fingerprint != fingerprint(mention)
        return "changed" if recent and changed else "known"

    def has_seen(self, mention_id: str) -> bool:
        """Whether a mention with this id was ever collected."""
        row = self._db.execute("SELECT 1 FROM seen WHERE id = ?", (mention_id,)).fetchone()
        return row is not None

    def remember(self, mentions: Iterable[Mention]) -> None:
        now = time.time()
        rows = [(m.id, m.source, now, now, fingerprint(m)) for m in mentions]
        with transaction(self._db) as db:
            db.executemany(
                "INSERT INTO seen (id, source, first_seen, last_seen, fingerprint)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " last_seen = excluded.last_seen, fingerprint = excluded.fingerprint",
                rows,
            )

    # runs

    def record_run(self, run: CrawlRun) -> None:
        with transaction(self._db) as db:
            db.execute(
                "INSERT INTO runs (source, started_at, finished_at, ok, pages, mentions_new,"
                " mentions_changed, malformed, dropped, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.source,
                    run.started_at,
                    run.finished_at,
                    int(run.ok),
                    run.pages,
                    run.mentions_new,
                    run.mentions_changed,
                    run.malformed,
                    run.dropped,
                    run.error,
                ),
            )

    def runs(self, source: str, limit: int = 20) -> list[CrawlRun]:
        """The latest runs of a source, newest first."""
        rows = self._db.execute(
            "SELECT source, started_at, finished_at, ok, pages, mentions_new, mentions_changed,"
            " malformed, dropped, error FROM runs WHERE source = ? ORDER BY run DESC LIMIT ?",
            (source, limit),
        ).fetchall()
        return [
            CrawlRun(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7], r[8], r[9]) for r in rows
        ]
