"""Downloader middlewares: rate-limit-aware retries and a per-spider pause.

``RetryAfterMiddleware`` replaces Scrapy's ``RetryMiddleware``: a 429 or 503 waits what the
server asked for in ``Retry-After`` (seconds or an HTTP date), other retryable failures wait
an exponential backoff; the wait pauses the whole spider (every request of the source), not
just the one request. A wait longer than ``KIKIMIMI_MAX_RETRY_AFTER`` gives up, so the crawl
ends and its cursor stays where it was. ``PauseMiddleware`` holds requests until the pause
ends; spiders also pause themselves when a source asks them to (Stack Exchange ``backoff``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

from core import retry_after_seconds

logger = logging.getLogger(__name__)

RATE_LIMIT_CODES = frozenset({429, 503})
RESUME_AT = "kikimimi_resume_at"  # spider attribute: monotonic time requests may resume


def pause_spider(spider: Spider, seconds: float) -> None:
    """Hold every further request of ``spider`` for ``seconds`` (the longest pause wins)."""
    resume_at = time.monotonic() + max(0.0, seconds)
    setattr(spider, RESUME_AT, max(getattr(spider, RESUME_AT, 0.0), resume_at))


class RetryAfterMiddleware(RetryMiddleware):
    """Retries with the server's ``Retry-After`` or exponential backoff; pauses the spider."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("KIKIMIMI_MAX_RETRY_AFTER", 300.0)
        self.backoff_base = settings.getfloat("KIKIMIMI_BACKOFF_BASE", 1.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retries = int(request.meta.get("retry_times", 0))
        wait = None
        if response.status in RATE_LIMIT_CODES:
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            wait = self.backoff_base * 2**retries
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"kikimimi/retry/{response.status}")
        if wait > self.max_wait:
            logger.warning(
                "%s asks to wait %.0f s (more than %.0f s): giving up this crawl's request",
                response_status_message(response.status),
                wait,
                self.max_wait,
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if self.crawler.spider is not None:
            pause_spider(self.crawler.spider, wait)
        return retry

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        if retry is not None and self.crawler.spider is not None:
            pause_spider(
                self.crawler.spider,
                self.backoff_base * 2 ** int(request.meta.get("retry_times", 0)),
            )
        return retry


class PauseMiddleware:
    """Holds requests while the spider is paused (rate limits, source-requested backoff)."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls()
        middleware.crawler = crawler
        return middleware

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        current = self.crawler.spider
        while current is not None:
            remaining = getattr(current, RESUME_AT, 0.0) - time.monotonic()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, 1.0))
