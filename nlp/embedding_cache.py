"""Sentence embeddings kept on disk, so that a text is embedded once: a SQLite file
(:func:`core.open_database`: WAL, so the web app's threads and ``kikimimi run`` share it),
one connection per :class:`EmbeddingCache`, used by one thread at a time.

A row is keyed by the encoder's identity and the SHA-256 of the exact text it was given, and
holds the embedding as float32, bit for bit what the encoder gave: a post that was edited, or
whose text is cleaned differently (brand names configured since), is simply another text, and
an embedding of another model is never read. The size is bounded: past ``max_entries`` rows,
the least recently used go (use is recorded at most every :data:`TOUCH_SECONDS` per row), and
so do all rows of another model. A failure to read or write the file is a
:class:`core.StateError` (:class:`core.StorageFullError` for a full disk).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core import StateError, disk_full_errors, open_database, transaction
from nlp.topics import Embeddings

SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    digest BLOB NOT NULL,
    vector BLOB NOT NULL,
    used_at REAL NOT NULL,
    PRIMARY KEY (model, digest)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS embeddings_by_use ON embeddings (model, used_at);
"""
# "{}": as many "?" marks as digests (:func:`_marks`)
_SELECT = "SELECT digest, vector, used_at FROM embeddings WHERE model = ? AND digest IN ({})"
_TOUCH = "UPDATE embeddings SET used_at = ? WHERE model = ? AND digest IN ({})"
TOUCH_SECONDS = 3600.0
KEYS_PER_QUERY = 500  # well under SQLite's limit on a statement's parameters


def text_digest(text: str) -> bytes:
    """The key of ``text``: its SHA-256."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class EmbeddingCache:
    """The embeddings of one encoder (``model``: its identity) in the file at ``path``."""

    def __init__(
        self,
        path: Path,
        model: str,
        *,
        max_entries: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.model = model
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        with self._errors():
            self._db = open_database(path, SCHEMA)

    def get(self, texts: Sequence[str]) -> list[Embeddings | None]:
        """Each text's embedding, or ``None`` when it is not cached; records the use."""
        digests = [text_digest(text) for text in texts]
        unique = list(dict.fromkeys(digests))
        found: dict[bytes, Embeddings] = {}
        now = self._clock()
        stale: list[bytes] = []
        with self._errors(), self._lock:
            for chunk in _chunks(unique):
                rows = self._db.execute(
                    _SELECT.format(_marks(chunk)),
                    (self.model, *chunk),
                ).fetchall()
                for digest, vector, used_at in rows:
                    found[digest] = np.frombuffer(vector, np.float32)
                    if used_at < now - TOUCH_SECONDS:
                        stale.append(digest)
            if stale:
                with transaction(self._db) as db:
                    for chunk in _chunks(stale):
                        db.execute(
                            _TOUCH.format(_marks(chunk)),
                            (now, self.model, *chunk),
                        )
        return [found.get(digest) for digest in digests]

    def put(self, texts: Sequence[str], embeddings: Embeddings) -> None:
        """Keep ``embeddings`` (one row per text), then drop the least recently used rows
        past ``max_entries`` and every row of another model."""
        now = self._clock()
        rows = [
            (self.model, text_digest(text), np.ascontiguousarray(row, np.float32).tobytes(), now)
            for text, row in zip(texts, embeddings, strict=True)
        ]
        with self._errors(), self._lock, transaction(self._db) as db:
            db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
            db.execute("DELETE FROM embeddings WHERE model != ?", (self.model,))
            db.execute(
                "DELETE FROM embeddings WHERE model = ? AND digest IN (SELECT digest FROM "
                "embeddings WHERE model = ? ORDER BY used_at DESC, digest LIMIT -1 OFFSET ?)",
                (self.model, self.model, self.max_entries),
            )

    def __len__(self) -> int:
        """The rows of this model."""
        with self._errors(), self._lock:
            (count,) = self._db.execute(
                "SELECT count(*) FROM embeddings WHERE model = ?", (self.model,)
            ).fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            with disk_full_errors(f"the embedding cache ({self.path})", self.path):
                yield
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"the embedding cache {self.path}: {exc}") from exc


def _chunks(digests: list[bytes]) -> Iterator[list[bytes]]:
    for start in range(0, len(digests), KEYS_PER_QUERY):
        yield digests[start : start + KEYS_PER_QUERY]


def _marks(chunk: list[bytes]) -> str:
    return ",".join("?" * len(chunk))
