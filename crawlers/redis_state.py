"""The crawl state in Redis, shared by crawls on any number of machines.

- cursors: a hash per source (``<prefix>:crawl:cursors:<source>``, query → cursor), saved in
  a ``WATCH``/``MULTI`` transaction that compares with what is saved and retries when
  another crawl changed it in between: a cursor never moves back, however crawls overlap;
- seen: a hash per id (``<prefix>:crawl:seen:<id>``: first seen, fingerprint) that expires
  ``seen_days`` after it was last remembered, so the memory it takes is bounded by the ids
  collected in that time;
- runs: a list per source (``<prefix>:crawl:runs:<source>``, newest first, JSON), the
  latest :data:`RUNS_KEPT`.

Every failure leaves as :class:`~core.errors.RedisError`.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

from core import Mention, redis_errors
from crawlers.cursors import kept_back, may_replace
from crawlers.state import SECONDS_PER_DAY, SEEN_DAYS, CrawlRun, Novelty, fingerprint, novelty_of

if TYPE_CHECKING:
    from redis import Redis
    from redis.client import Pipeline

__all__ = ["RUNS_KEPT", "RedisCrawlState"]

RUNS_KEPT = 1000
"""Runs kept per source (``kikimimi sources status`` reads the latest 50)."""


class RedisCrawlState:
    """A :class:`~crawlers.state.CrawlState` in Redis (see the module)."""

    def __init__(self, client: Redis, prefix: str = "kikimimi", seen_days: float = SEEN_DAYS):
        """``client`` answers with text (``decode_responses``), as
        :func:`~core.redis_boundary.redis_client`'s do; nothing is asked of Redis yet."""
        self.client = client
        self.keys = f"{prefix}:crawl"
        self.seen_seconds = max(1, round(seen_days * SECONDS_PER_DAY))

    def close(self) -> None:
        self.client.close()

    def _errors(self, operation: str) -> AbstractContextManager[None]:
        return redis_errors(f"{operation} in the crawl state (Redis keys {self.keys}:*)")

    # cursors

    def cursor(self, source: str, query: str) -> str | None:
        with self._errors(f"read a cursor of {source}"):
            value = self.client.hget(f"{self.keys}:cursors:{source}", query)
        return None if value is None else str(value)

    def cursors(self, source: str) -> dict[str, str]:
        with self._errors(f"read the cursors of {source}"):
            return _texts(self.client.hgetall(f"{self.keys}:cursors:{source}"))

    def save_cursors(
        self,
        source: str,
        cursors: Mapping[str, str],
        started_from: Mapping[str, str] | None = None,
    ) -> list[str]:
        name = f"{self.keys}:cursors:{source}"
        start = started_from or {}
        outcome: list[list[str]] = []

        def save(transaction: Pipeline) -> None:
            saved = _texts(transaction.hgetall(name))  # watched: EXEC fails if it changes
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
            transaction.multi()
            if moving:
                transaction.hset(name, mapping=cast("dict[Any, Any]", moving))
            outcome[:] = [kept_back(cursors, moving, saved)]

        if not cursors:
            return []
        with self._errors(f"save the cursors of {source}"):
            self.client.transaction(save, name)
        return outcome[0]

    # seen ids

    def novelty(self, mention: Mention, refresh_window_seconds: float) -> Novelty:
        with self._errors("look up a collected id"):
            first_seen, known = self.client.hmget(
                f"{self.keys}:seen:{mention.id}", ["first_seen", "fingerprint"]
            )
        seen = None if first_seen is None else (float(first_seen), str(known))
        return novelty_of(mention, seen, refresh_window_seconds, time.time())

    def has_seen(self, mention_id: str) -> bool:
        with self._errors("look up a collected id"):
            return bool(self.client.exists(f"{self.keys}:seen:{mention_id}"))

    def remember(self, mentions: Iterable[Mention]) -> None:
        now = repr(time.time())
        transaction = self.client.pipeline(transaction=True)
        for mention in mentions:
            name = f"{self.keys}:seen:{mention.id}"
            transaction.hsetnx(name, "first_seen", now)
            transaction.hset(name, "fingerprint", fingerprint(mention))
            transaction.expire(name, self.seen_seconds)
        with self._errors("remember collected ids"):
            transaction.execute()

    # runs

    def record_run(self, run: CrawlRun) -> None:
        name = f"{self.keys}:runs:{run.source}"
        transaction = self.client.pipeline(transaction=True)
        transaction.lpush(name, json.dumps(dataclasses.asdict(run)))
        transaction.ltrim(name, 0, RUNS_KEPT - 1)
        with self._errors(f"record a run of {run.source}"):
            transaction.execute()

    def runs(self, source: str, limit: int = 20) -> list[CrawlRun]:
        with self._errors(f"read the runs of {source}"):
            rows = self.client.lrange(f"{self.keys}:runs:{source}", 0, limit - 1)
        return [CrawlRun(**json.loads(row)) for row in rows]


def _texts(reply: Any) -> dict[str, str]:
    """A hash's fields and values as text."""
    return {str(field): str(value) for field, value in reply.items()}
