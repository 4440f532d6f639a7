"""The end of a crawl: cursors are saved only when every mention reached the queue."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from core.mention_queue import SqliteMentionQueue
from core.records import Mention
from crawlers.extensions import CrawlRecorder
from crawlers.pipelines import ENQUEUE_FAILED, QueueingPipeline
from crawlers.sink import MentionSink
from crawlers.spiders.hackernews import HackerNewsSpider
from crawlers.sqlite_state import SqliteCrawlState


class FullDisk(SqliteMentionQueue):
    def put(self, mentions: Iterable[Mention]) -> int:
        raise sqlite3.OperationalError("database or disk is full")


def opening(path: Path) -> Callable[[], SqliteCrawlState]:
    """What the runner puts in ``KIKIMIMI_CRAWL_STATE``: opens the crawl state."""
    return lambda: SqliteCrawlState(path)


@pytest.mark.parametrize("queue_works", [True, False])
def test_a_crawl_whose_queue_flush_failed_keeps_its_cursors(
    tmp_path: Path, make_mentions: Callable[..., list[Mention]], queue_works: bool
) -> None:
    state_path = tmp_path / "state.sqlite"
    crawler = get_crawler(HackerNewsSpider, {"KIKIMIMI_CRAWL_STATE": opening(state_path)})
    queue = (SqliteMentionQueue if queue_works else FullDisk)(tmp_path / "queue.sqlite")
    pipeline = QueueingPipeline(crawler, MentionSink(queue, SqliteCrawlState(state_path), 3600))
    recorder = CrawlRecorder.from_crawler(crawler)
    spider = HackerNewsSpider()
    spider.advance("hoshi", "1000")

    pipeline.process_item(make_mentions(1)[0])
    if queue_works:
        pipeline.close_spider()
    else:
        with pytest.raises(sqlite3.OperationalError):
            pipeline.close_spider()
    recorder.spider_closed(spider, "finished")

    assert crawler.stats.get_value(ENQUEUE_FAILED, False) is not queue_works
    state = SqliteCrawlState(state_path)
    (run,) = state.runs(spider.source_name)
    if queue_works:
        assert state.cursors(spider.source_name) == {"hoshi": "1000"}
        assert run.ok
    else:
        assert state.cursors(spider.source_name) == {}
        assert not run.ok and run.error == "mentions could not be queued"
    state.close()
    queue.close()


@pytest.mark.parametrize(
    ("stats", "ok"),
    [
        ({"kikimimi/malformed": 3}, False),  # three received, none kept
        ({"kikimimi/malformed_items": 2}, False),
        ({"kikimimi/malformed": 3, "kikimimi/mentions_new": 1}, True),
        ({"kikimimi/malformed": 3, "kikimimi/already_collected": 1}, True),
        ({}, True),  # nothing new at all is not a failure
    ],
)
def test_a_crawl_that_kept_none_of_what_it_received_failed(
    tmp_path: Path, stats: dict[str, int], ok: bool
) -> None:
    state_path = tmp_path / "state.sqlite"
    crawler = get_crawler(HackerNewsSpider, {"KIKIMIMI_CRAWL_STATE": opening(state_path)})
    recorder = CrawlRecorder.from_crawler(crawler)
    assert crawler.stats is not None
    for key, count in stats.items():
        crawler.stats.set_value(key, count)
    recorder.spider_closed(HackerNewsSpider(), "finished")
    state = SqliteCrawlState(state_path)
    (run,) = state.runs("hackernews")
    state.close()
    assert run.ok is ok
    malformed = sum(stats.get(k, 0) for k in ("kikimimi/malformed", "kikimimi/malformed_items"))
    assert run.malformed == malformed
    if not ok:
        assert run.error == f"nothing kept: all {malformed} item(s) received were malformed"
