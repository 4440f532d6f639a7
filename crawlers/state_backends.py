"""The crawl state the settings choose (``crawl_state.backend``): the SQLite file of the
state directory, or Redis."""

from __future__ import annotations

from config import Settings, crawl_state_path, redis_connection
from crawlers.redis_state import RedisCrawlState
from crawlers.sqlite_state import SqliteCrawlState
from crawlers.state import CrawlState

__all__ = ["open_crawl_state"]


def open_crawl_state(settings: Settings) -> CrawlState:
    """The configured crawl state; nothing connects to Redis before the first command."""
    chosen = settings.crawl_state
    if chosen.backend == "redis":
        return RedisCrawlState(
            redis_connection(settings), settings.redis.key_prefix, seen_days=chosen.seen_days
        )
    return SqliteCrawlState(crawl_state_path(settings), seen_days=chosen.seen_days)
