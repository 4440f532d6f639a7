"""Item pipelines: validate each scraped item as a Mention, then de-duplicate and queue it.

Items are plain dicts of Mention fields. ``MentionValidationPipeline`` turns them into
``Mention`` records or drops them with the field at fault; ``QueueingPipeline`` hands them
to a :class:`~crawlers.sink.MentionSink` and, when that fails, sets the crawl's
``ENQUEUE_FAILED`` stat (so the crawl keeps its cursors). Both are off (``NotConfigured``)
without the ``KIKIMIMI_*`` settings the runner sets (``KIKIMIMI_QUEUE`` opens the configured
mention queue, ``KIKIMIMI_CRAWL_STATE`` the configured crawl state), so ``scrapy check``
runs without any state.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from core import Mention, RecordError, parse_record
from crawlers.sink import MentionSink

__all__ = ["ENQUEUE_FAILED", "MentionValidationPipeline", "QueueingPipeline"]

ENQUEUE_FAILED = "kikimimi/enqueue_failed"


class MentionValidationPipeline:
    """Dict items become Mention records; invalid ones are dropped and counted."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any, spider: Spider | None = None) -> Mention:
        if isinstance(item, Mention):
            return item
        try:
            return parse_record(Mention, dict(item))
        except RecordError as exc:
            self.crawler.stats.inc_value("kikimimi/malformed_items")
            raise DropItem(str(exc)) from exc


class QueueingPipeline:
    """New and changed mentions go to the durable queue; ones already collected are dropped."""

    def __init__(self, crawler: Crawler, sink: MentionSink) -> None:
        self.crawler = crawler
        self.sink = sink

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        open_queue = settings.get("KIKIMIMI_QUEUE")
        open_state = settings.get("KIKIMIMI_CRAWL_STATE")
        if not open_queue or not open_state:
            raise NotConfigured("KIKIMIMI_QUEUE and KIKIMIMI_CRAWL_STATE are not set")
        sink = MentionSink(
            open_queue(),
            open_state(),
            settings.getfloat("KIKIMIMI_REFRESH_WINDOW_SECONDS", 48 * 3600),
        )
        return cls(crawler, sink)

    def process_item(self, item: Mention, spider: Spider | None = None) -> Mention:
        stats = self.crawler.stats
        try:
            novelty = self.sink.offer(item)
        except Exception:
            stats.set_value(ENQUEUE_FAILED, True)
            raise
        if novelty is None or novelty == "known":
            stats.inc_value("kikimimi/already_collected")
            raise DropItem("already collected" if novelty else "duplicate within this crawl")
        stats.inc_value(f"kikimimi/mentions_{novelty}")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        try:
            self.sink.flush()
        except Exception:
            self.crawler.stats.set_value(ENQUEUE_FAILED, True)
            raise
