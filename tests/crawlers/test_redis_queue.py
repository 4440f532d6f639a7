"""With ``queue.backend: redis``, a crawl (a ``kikimimi crawl`` process, as in production)
puts its mentions into the Redis stream: a Scrapy spider's through the item pipeline, a
direct crawl's (the importer) through the runner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from core.mention_queue import MentionQueue
from core.records import Mention
from core.redis_boundary import redis_client
from core.redis_mention_queue import RedisMentionQueue
from standins.hackernews import HackerNewsStandin
from standins.server import StandinServer
from tests.crawlers.conftest import CrawlEnv
from tests.crawlers.spiders.test_hackernews import posts
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis


@dataclass
class RedisCrawlEnv(CrawlEnv):
    """The crawl configuration, with the queue in a stream of the session's Redis."""

    redis_url: str = ""
    redis_prefix: str = ""

    def write_config(self) -> Path:
        path = super().write_config()
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        document["queue"] = {"backend": "redis"}
        document["redis"] = {"url": self.redis_url, "key_prefix": self.redis_prefix}
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        return path

    def drain(self) -> list[Mention]:
        queue: MentionQueue = RedisMentionQueue(redis_client(self.redis_url), self.redis_prefix)
        claimed = queue.claim("test", 1_000_000, lease_seconds=60)
        queue.ack([c.receipt for c in claimed])
        queue.close()
        return [c.mention for c in claimed]


@pytest.fixture
def redis_crawl_env(tmp_path: Path, redis_server: RedisServer, redis_prefix: str) -> RedisCrawlEnv:
    return RedisCrawlEnv(tmp_path, redis_url=redis_server.url, redis_prefix=redis_prefix)


def test_a_spider_queues_into_redis(redis_crawl_env: RedisCrawlEnv) -> None:
    with StandinServer(HackerNewsStandin(posts(60))) as server:
        redis_crawl_env.add_source(name="hn", type="hackernews", base_url=server.url)
        result = redis_crawl_env.crawl("hn")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok
    assert len({m.id for m in result.mentions}) == 60
    assert not (redis_crawl_env.root / "var" / "queue").exists(), "no SQLite queue"


def test_a_direct_crawl_queues_into_redis(redis_crawl_env: RedisCrawlEnv, tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    rows = [
        {"native_id": f"x{i}", "text": f"Hoshi Mobile #{i}", "published_at": "2026-11-20T09:00Z"}
        for i in range(5)
    ]
    export.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    redis_crawl_env.add_source(name="imp", type="import", path=str(export))
    result = redis_crawl_env.crawl("imp")
    assert result.returncode == 0, result.stderr
    assert sorted(m.native_id for m in result.mentions) == [f"x{i}" for i in range(5)]
