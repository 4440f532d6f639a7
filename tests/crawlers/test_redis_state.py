"""With ``crawl_state.backend: redis``, crawls (``kikimimi crawl`` processes, as in
production) keep their cursors, seen ids and runs in Redis: a Scrapy spider's through the
crawler settings, a direct crawl's (the importer) through the runner; a crawl on another
"machine" (another state directory) goes on from where the first stopped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from core.redis_boundary import redis_client
from crawlers.redis_state import RedisCrawlState
from crawlers.state import CrawlState
from standins.hackernews import HackerNewsStandin
from standins.server import StandinServer
from tests.crawlers.spiders.test_hackernews import posts
from tests.crawlers.test_redis_queue import RedisCrawlEnv
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis


@dataclass
class SharedStateEnv(RedisCrawlEnv):
    """The crawl configuration with the queue and the crawl state in the session's Redis."""

    def write_config(self) -> Path:
        path = super().write_config()
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        document["crawl_state"] = {"backend": "redis"}
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        return path

    def state(self) -> CrawlState:
        return RedisCrawlState(redis_client(self.redis_url), self.redis_prefix)


def machine(
    root: Path, redis: RedisServer, prefix: str, sources: list[dict[str, object]]
) -> SharedStateEnv:
    root.mkdir(parents=True, exist_ok=True)
    return SharedStateEnv(root, list(sources), redis_url=redis.url, redis_prefix=prefix)


def test_a_spider_on_another_machine_goes_on_from_the_shared_cursor(
    tmp_path: Path, redis_server: RedisServer, redis_prefix: str
) -> None:
    standin = HackerNewsStandin(posts(30))
    with StandinServer(standin) as server:
        source = {
            "name": "hn",
            "type": "hackernews",
            "base_url": server.url,
            "requests_per_second": 50,
        }
        first = machine(tmp_path / "a", redis_server, redis_prefix, [source])
        result = first.crawl("hn")
        assert result.returncode == 0, result.stderr
        assert result.run is not None and result.run.ok and result.run.mentions_new == 30
        cursors = first.state().cursors("hn")
        assert cursors, "the spider saved its cursors in Redis"

        standin.posts.extend(posts(5, start=30))
        second = machine(tmp_path / "b", redis_server, redis_prefix, [source])
        again = second.crawl("hn")
    assert again.returncode == 0, again.stderr
    assert again.run is not None and again.run.mentions_new == 5
    assert sorted(m.native_id for m in again.mentions) == [str(46_000_030 + i) for i in range(5)]
    for root in (first.root, second.root):
        assert not (root / "var" / "crawl").exists(), "no SQLite crawl state"


def test_a_direct_crawl_keeps_its_state_in_redis(
    tmp_path: Path, redis_server: RedisServer, redis_prefix: str
) -> None:
    export = tmp_path / "export.jsonl"
    rows = [
        {"native_id": f"x{i}", "text": f"Hoshi Mobile #{i}", "published_at": "2026-11-20T09:00Z"}
        for i in range(5)
    ]
    export.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    source = {"name": "imp", "type": "import", "path": str(export), "requests_per_second": 50}
    first = machine(tmp_path / "a", redis_server, redis_prefix, [source])
    result = first.crawl("imp")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.mentions_new == 5
    assert json.loads(first.state().cursors("imp")["export.jsonl"])["line"] == 5

    with export.open("a", encoding="utf-8") as appended:
        appended.write(json.dumps({**rows[0], "native_id": "x5"}) + "\n")
    again = machine(tmp_path / "b", redis_server, redis_prefix, [source]).crawl("imp")
    assert again.returncode == 0, again.stderr
    assert [m.native_id for m in again.mentions] == ["x5"]
    assert not (tmp_path / "a" / "var" / "crawl").exists(), "no SQLite crawl state"
