"""Run one crawl of one configured source, in this process.

Scrapy's Twisted reactor cannot be restarted inside a process, so every crawl runs in a
process of its own: ``kikimimi crawl NAME`` runs exactly one, and the scheduler starts that
command as a subprocess for each scheduled run (:mod:`kikimimi.scheduling`).
"""

from __future__ import annotations

import logging
import time

from config import Settings, SourceSettings, mention_queue
from core import CrawlError, UnknownSourceError, install_redactor, secrets_in
from crawlers.direct import CrawlContext
from crawlers.queries import search_terms
from crawlers.registry import direct_crawl, spider_class
from crawlers.sink import MentionSink
from crawlers.state import CrawlRun, CrawlState
from crawlers.state_backends import open_crawl_state

__all__ = ["find_source", "run_crawl"]

logger = logging.getLogger(__name__)


def find_source(settings: Settings, name: str) -> SourceSettings:
    for source in settings.sources:
        if source.name == name:
            return source
    raise UnknownSourceError(name, [s.name for s in settings.sources])


def run_crawl(settings: Settings, name: str, log_level: str = "WARNING") -> CrawlRun:
    """Crawl the source called ``name`` once; returns the recorded run."""
    source = find_source(settings, name)
    state = open_crawl_state(settings)
    try:
        spider = spider_class(source.type)
        if spider is not None:
            _run_spider(settings, source, state, spider, log_level)
        else:
            _run_direct(settings, source, state)
        runs = state.runs(source.name, limit=1)
        if not runs:
            raise CrawlError(f"{name}: the crawl ended without recording its outcome")
        return runs[0]
    finally:
        state.close()


def _scrapy_settings(
    settings: Settings, source: SourceSettings, log_level: str
) -> dict[str, object]:
    crawl = settings.crawl
    delay = 1.0 / source.requests_per_second
    return {
        "USER_AGENT": crawl.user_agent,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": delay,
        "RETRY_TIMES": crawl.retries,
        "DOWNLOAD_TIMEOUT": crawl.timeout_seconds,
        "CLOSESPIDER_TIMEOUT": crawl.crawl_timeout_seconds,
        "KIKIMIMI_MAX_RETRY_AFTER": crawl.max_retry_after_seconds,
        "KIKIMIMI_BACKOFF_BASE": crawl.backoff_seconds,
        "KIKIMIMI_QUEUE": lambda: mention_queue(settings),  # opens the configured queue
        "KIKIMIMI_CRAWL_STATE": lambda: open_crawl_state(settings),  # the configured state
        "KIKIMIMI_REFRESH_WINDOW_SECONDS": crawl.refresh_window_hours * 3600,
        "LOG_LEVEL": log_level,
    }


def _run_spider(
    settings: Settings, source: SourceSettings, state: CrawlState, spider: type, log_level: str
) -> None:
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415 - Scrapy loads only to crawl
    from scrapy.settings import Settings as ScrapySettings  # noqa: PLC0415

    scrapy_settings = ScrapySettings()
    scrapy_settings.setmodule("crawlers.settings", priority="project")
    scrapy_settings.update(_scrapy_settings(settings, source, log_level), priority="cmdline")
    for handler in list(logging.root.handlers):  # Scrapy installs its own, at LOG_LEVEL
        logging.root.removeHandler(handler)
    process = CrawlerProcess(scrapy_settings)
    process.crawl(
        spider,
        source=source,
        terms=search_terms([*settings.brands, *settings.competitors], source.queries),
        cursors=state.cursors(source.name),
    )
    # After crawl(): creating the crawler replaces Scrapy's root handler (and its filters).
    install_redactor(secrets_in(source))
    process.start()


def _run_direct(settings: Settings, source: SourceSettings, state: CrawlState) -> None:
    crawl = direct_crawl(source.type)
    if crawl is None:
        raise CrawlError(f"{source.name}: no crawler for source type {source.type!r}")
    install_redactor(secrets_in(source))
    queue = mention_queue(settings)
    sink = MentionSink(queue, state, settings.crawl.refresh_window_hours * 3600)
    brands = [*settings.brands, *settings.competitors]
    started = time.time()
    context = CrawlContext(
        settings=settings,
        source=source,
        brands=brands,
        terms=search_terms(brands, source.queries),
        cursors=state.cursors(source.name),
        sink=sink,
    )
    error: str | None
    try:
        outcome = crawl(context)
        error = outcome.error
    except Exception as exc:
        logger.exception("%s: crawl failed", source.name)
        outcome, error = None, f"{type(exc).__name__}: {exc}"
    try:
        sink.flush()
        if outcome is not None and outcome.next_cursors:
            state.save_cursors(source.name, outcome.next_cursors, context.cursors)
    except Exception as exc:
        error = f"mentions could not be queued: {exc}"
        logger.exception("%s: %s", source.name, error)
    finally:
        queue.close()
    state.record_run(
        CrawlRun(
            source=source.name,
            started_at=started,
            finished_at=time.time(),
            ok=error is None,
            pages=outcome.pages if outcome else 0,
            mentions_new=sink.counts.new,
            mentions_changed=sink.counts.changed,
            malformed=outcome.malformed if outcome else 0,
            dropped=sink.counts.known,
            error=error,
        )
    )
