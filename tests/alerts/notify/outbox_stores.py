"""Where a test's outboxes live, the same for every backend: a SQLite file, or keys under a
prefix of a real Redis. Child processes open the same outbox from :meth:`OutboxStore.spec`."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from alerts.notify.outbox import Outbox
from alerts.notify.redis_outbox import RedisOutbox
from alerts.notify.sqlite_outbox import SqliteOutbox
from core.redis_boundary import redis_client


@dataclass(frozen=True)
class OutboxStore:
    """``backend`` ``sqlite`` (the file ``path``) or ``redis`` (``redis_url``, ``prefix``)."""

    backend: str
    path: Path
    redis_url: str = ""
    prefix: str = ""

    def open(self, **options: Any) -> Outbox:
        """A new outbox object on the store (another notifier), with the given options."""
        if self.backend == "redis":
            return RedisOutbox(redis_client(self.redis_url), self.prefix, **options)
        return SqliteOutbox(self.path, **options)

    def spec(self) -> str:
        """The store as one argument for a child process (:func:`from_spec`)."""
        return json.dumps({**asdict(self), "path": str(self.path)})

    def corrupt(self, key: str) -> None:
        """Replace the stored payload of ``key`` with one no version can read."""
        payload = '{"key": 1}'
        if self.backend == "redis":
            with redis_client(self.redis_url) as client:
                client.hset(f"{self.prefix}:outbox:notice:{key}", "payload", payload)
            return
        with sqlite3.connect(self.path) as db:
            db.execute("UPDATE notices SET payload = ? WHERE key = ?", (payload, key))


def from_spec(spec: str) -> OutboxStore:
    fields = json.loads(spec)
    return OutboxStore(**{**fields, "path": Path(fields["path"])})
