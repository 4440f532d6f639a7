"""The crawl state the settings choose: the SQLite file of the state directory by default,
Redis keys under ``redis.key_prefix`` with ``crawl_state.backend: redis``; nothing connects
before the first command."""

from __future__ import annotations

from pathlib import Path

from config import Settings, crawl_state_path
from crawlers.redis_state import RedisCrawlState
from crawlers.sqlite_state import SqliteCrawlState
from crawlers.state_backends import open_crawl_state


def test_the_sqlite_file_of_the_state_directory_by_default(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"state_dir": str(tmp_path), "crawl_state": {"seen_days": 2}}
    )
    state = open_crawl_state(settings)
    assert isinstance(state, SqliteCrawlState)
    assert (state.path, state.seen_seconds) == (crawl_state_path(settings), 2 * 86_400)
    state.close()


def test_redis_keys_under_the_prefix(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "state_dir": str(tmp_path),
            "crawl_state": {"backend": "redis", "seen_days": 0.5},
            "redis": {"url": "redis://cache.example:6380/3", "key_prefix": "brand-a"},
        }
    )
    state = open_crawl_state(settings)
    assert isinstance(state, RedisCrawlState)
    assert (state.keys, state.seen_seconds) == ("brand-a:crawl", 43_200)
    kwargs = state.client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("cache.example", 6380, 3)
    assert not crawl_state_path(settings).exists()
    state.close()
