"""The crawl state in one SQLite file (WAL), safe across the processes of one machine."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from core import Mention, open_database, transaction
from crawlers.cursors import kept_back, may_replace
from crawlers.state import SECONDS_PER_DAY, SEEN_DAYS, CrawlRun, Novelty, fingerprint, novelty_of

__all__ = ["SqliteCrawlState"]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    source TEXT NOT NULL, query TEXT NOT NULL, value TEXT NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (source, query)
);
CREATE TABLE IF NOT EXISTS seen (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, first_seen REAL NOT NULL,
    last_seen REAL NOT NULL, fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_by_last_seen ON seen (last_seen);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, started_at REAL NOT NULL,
    finished_at REAL NOT NULL, ok INTEGER NOT NULL, pages INTEGER NOT NULL,
    mentions_new INTEGER NOT NULL, mentions_changed INTEGER NOT NULL,
    malformed INTEGER NOT NULL, dropped INTEGER NOT NULL, error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_source ON runs (source, run);
"""


class SqliteCrawlState:
    """A :class:`~crawlers.state.CrawlState` in one SQLite file. Ids not collected for
    ``seen_days`` count as never seen, and are deleted when a run is recorded."""

    def __init__(
        self, path: Path, busy_timeout_seconds: float = 30.0, seen_days: float = SEEN_DAYS
    ) -> None:
        self.path = path
        self.seen_seconds = seen_days * SECONDS_PER_DAY
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
        rows = self._db.execute(
            "SELECT query, value FROM cursors WHERE source = ?", (source,)
        ).fetchall()
        return {str(q): str(v) for q, v in rows}

    def save_cursors(
        self,
        source: str,
        cursors: Mapping[str, str],
        started_from: Mapping[str, str] | None = None,
    ) -> list[str]:
        now = time.time()
        start = started_from or {}
        with transaction(self._db) as db:
            saved = dict(db.execute("SELECT query, value FROM cursors WHERE source = ?", (source,)))
            moving = {
                query: value
                for query, value in cursors.items()
                if may_replace(
                    saved.get(query),
                    value,
                    start.get(query),
                    start_known=started_from is not None,
                )
            }
            db.executemany(
                "INSERT INTO cursors (source, query, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (source, query) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                [(source, query, value, now) for query, value in moving.items()],
            )
        return kept_back(cursors, moving, saved)

    # seen ids

    def novelty(self, mention: Mention, refresh_window_seconds: float) -> Novelty:
        now = time.time()
        row = self._db.execute(
            "SELECT first_seen, fingerprint FROM seen WHERE id = ? AND last_seen >= ?",
            (mention.id, now - self.seen_seconds),
        ).fetchone()
        seen = None if row is None else (float(row[0]), str(row[1]))
        return novelty_of(mention, seen, refresh_window_seconds, now)

    def has_seen(self, mention_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM seen WHERE id = ? AND last_seen >= ?",
            (mention_id, time.time() - self.seen_seconds),
        ).fetchone()
        return row is not None

    def remember(self, mentions: Iterable[Mention]) -> None:
        now = time.time()
        rows = [(m.id, m.source, now, now, fingerprint(m)) for m in mentions]
        with transaction(self._db) as db:
            db.executemany(
                "INSERT INTO seen (id, source, first_seen, last_seen, fingerprint)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " first_seen = CASE WHEN seen.last_seen < ? THEN excluded.first_seen"
                " ELSE seen.first_seen END,"
                " last_seen = excluded.last_seen, fingerprint = excluded.fingerprint",
                [(*row, now - self.seen_seconds) for row in rows],
            )

    # runs

    def record_run(self, run: CrawlRun) -> None:
        """Keep the run, and delete the ids forgotten by now."""
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
            db.execute("DELETE FROM seen WHERE last_seen < ?", (time.time() - self.seen_seconds,))

    def runs(self, source: str, limit: int = 20) -> list[CrawlRun]:
        rows = self._db.execute(
            "SELECT source, started_at, finished_at, ok, pages, mentions_new, mentions_changed,"
            " malformed, dropped, error FROM runs WHERE source = ? ORDER BY run DESC LIMIT ?",
            (source, limit),
        ).fetchall()
        return [
            CrawlRun(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7], r[8], r[9]) for r in rows
        ]
