"""Item pipelines: validate each scraped item as a Mention, then de-duplicate and queue it.

Items are plain dicts of Mention fields. ``MentionValidationPipeline`` turns them into
``Mention`` records or drops them with the field at fault; ``QueueingPipeline`` hands them
to a :class:`~crawlers.sink.MentionSink`. Both are off (``NotConfigured``) without the
``KIKIMIMI_*`` settings the runner sets, so ``scrapy check`` runs without any state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from core import Mention, RecordError, SqliteMentionQueue, parse_record
from crawlers.sink import MentionSink
from crawlers.state import CrawlState

__all__ = ["MentionValidationPipeline", "QueueingPipeline"]


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
            if self.crawler.stats is not None:
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
        queue_path = settings.get("KIKIMIMI_QUEUE_PATH")
        state_path = settings.get("KIKIMIMI_STATE_PATH")
        if not queue_path or not state_path:
            raise NotConfigured("KIKIMIMI_QUEUE_PATH and KIKIMIMI_STATE_PATH are not set")
        sink = MentionSink(
            SqliteMentionQueue(Path(queue_path)),
            CrawlState(Path(state_path)),
            settings.getfloat("KIKIMIMI_REFRESH_WINDOW_SECONDS", 48 * 3600),
        )
        return cls(crawler, sink)

    def process_item(self, item: Mention, spider: Spider | None = None) -> Mention:
        stats = self.crawler.stats
        try:
            novelty = self.sink.offer(item)
        except Exception:
            self.crawler.kikimimi_enqueue_failed = True  # type: ignore[attr-defined]
            raise
        if novelty is None or novelty == "known":
            if stats is not None:
                stats.inc_value("kikimimi/already_collected")
            raise DropItem("already collected" if novelty else "duplicate within this crawl")
        if stats is not None:
            stats.inc_value(f"kikimimi/mentions_{novelty}")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        try:
            self.sink.flush()
        except Exception:
            self.crawler.kikimimi_enqueue_failed = True  # type: ignore[attr-defined]
            raise
