"""Where a test's crawl state lives, the same for every backend: a SQLite file, or keys under
a prefix of a real Redis; each :meth:`CrawlStateStore.open` is another machine's view."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.redis_boundary import redis_client
from crawlers.redis_state import RedisCrawlState
from crawlers.sqlite_state import SqliteCrawlState
from crawlers.state import SEEN_DAYS, CrawlState


@dataclass(frozen=True)
class CrawlStateStore:
    """``backend`` ``sqlite`` (the file ``path``) or ``redis`` (``redis_url``, ``prefix``)."""

    backend: str
    path: Path
    redis_url: str = ""
    prefix: str = ""

    def open(self, seen_days: float = SEEN_DAYS) -> CrawlState:
        if self.backend == "redis":
            return RedisCrawlState(redis_client(self.redis_url), self.prefix, seen_days)
        return SqliteCrawlState(self.path, seen_days=seen_days)
