"""Scrapy extensions: record each crawl's outcome and save its cursors."""

from __future__ import annotations

import time
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawlers.pipelines import ENQUEUE_FAILED
from crawlers.spiders.base import MentionSpider
from crawlers.state import CrawlRun, CrawlState

__all__ = ["CrawlRecorder"]


class CrawlRecorder:
    """At the end of a crawl: save the cursors of queries that completed, record the run.

    A query whose request failed (after retries), whose page was malformed, or a crawl whose
    items could not be queued keeps its old cursor, so the next run fetches the same again.
    A crawl that received items but kept none, every one malformed, is a failed run: the
    source's format has changed under the spider, and that must not look healthy.
    """

    def __init__(self, crawler: Crawler, state: CrawlState) -> None:
        self.crawler = crawler
        self.state = state
        self.started_at = time.time()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        open_state = crawler.settings.get("KIKIMIMI_CRAWL_STATE")
        if not open_state:
            raise NotConfigured("KIKIMIMI_CRAWL_STATE is not set")
        recorder = cls(crawler, open_state())
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = time.time()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not isinstance(spider, MentionSpider):
            return
        value = self.crawler.stats.get_value
        enqueue_failed = bool(value(ENQUEUE_FAILED, False))
        malformed = int(value("kikimimi/malformed", 0)) + int(value("kikimimi/malformed_items", 0))
        kept = sum(
            int(value(f"kikimimi/{key}", 0))
            for key in ("mentions_new", "mentions_changed", "already_collected")
        )
        problems = []
        if reason != "finished":
            problems.append(f"crawl ended early ({reason})")
        if enqueue_failed:
            problems.append("mentions could not be queued")
        if malformed and not kept:
            problems.append(f"nothing kept: all {malformed} item(s) received were malformed")
        if spider.failed_queries:
            failed = ", ".join(sorted(repr(q) for q in spider.failed_queries))
            problems.append(f"requests failed for {failed}")
        if reason == "finished" and not enqueue_failed:
            done = {q: v for q, v in spider.next_cursors.items() if q not in spider.failed_queries}
            self.state.save_cursors(spider.source_name, done, spider.cursors)
        self.state.record_run(
            CrawlRun(
                source=spider.source_name,
                started_at=self.started_at,
                finished_at=time.time(),
                ok=not problems,
                pages=int(value("response_received_count", 0)),
                mentions_new=int(value("kikimimi/mentions_new", 0)),
                mentions_changed=int(value("kikimimi/mentions_changed", 0)),
                malformed=malformed,
                dropped=int(value("kikimimi/already_collected", 0)),
                error="; ".join(problems) or None,
            )
        )
