"""Each source's next crawl time in Redis, ``<prefix>:scheduler:next_runs`` (a hash of source
name to ISO time), for schedulers that elect their leader there.

The leader records a source's next run when it starts a crawl of it; a scheduler that takes
over on another machine starts each source at the time recorded, not at once, so a leader
moving between machines keeps every source's rhythm. Only times are stored (as text), never
APScheduler's pickled jobs. Failures leave as :class:`~core.errors.RedisError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core import redis_errors

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["ScheduleTimes"]


class ScheduleTimes:
    """The next run time of each scheduled source, shared by the schedulers."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.key = f"{prefix}:scheduler:next_runs"

    def load(self) -> dict[str, datetime]:
        """Every recorded source's next run (times that no longer parse are left out)."""
        with redis_errors(f"read the crawl schedule (Redis key {self.key})"):
            recorded = self.client.hgetall(self.key)
        times = {}
        for source, text in recorded.items():
            try:
                times[str(source)] = datetime.fromisoformat(str(text))
            except ValueError:
                continue
        return times

    def record(self, source: str, next_run: datetime) -> None:
        with redis_errors(f"record {source}'s next crawl (Redis key {self.key})"):
            self.client.hset(self.key, source, next_run.isoformat())

    def close(self) -> None:
        self.client.close()
