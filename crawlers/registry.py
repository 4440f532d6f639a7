"""Which code crawls which source type.

Polled sources are Scrapy spiders; the Bluesky firehose and bulk imports run directly
(:mod:`crawlers.direct`). X/Twitter has no entry: its API is paid-only. An adapter for it
would be one more spider class named here and one more settings model in
:mod:`config.sources`; nothing else changes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawlers.direct import DirectCrawl
    from crawlers.spiders.base import MentionSpider

__all__ = ["direct_crawl", "spider_class"]

SPIDERS = {
    "mastodon": "crawlers.spiders.mastodon:MastodonSpider",
    "bluesky_search": "crawlers.spiders.bluesky_search:BlueskySearchSpider",
    "hackernews": "crawlers.spiders.hackernews:HackerNewsSpider",
    "news": "crawlers.spiders.news:GoogleNewsSpider",
    "appstore": "crawlers.spiders.appstore:AppStoreSpider",
    "discourse": "crawlers.spiders.discourse:DiscourseSpider",
    "stackexchange": "crawlers.spiders.stackexchange:StackExchangeSpider",
    "reddit": "crawlers.spiders.reddit:RedditSpider",
    "youtube": "crawlers.spiders.youtube:YouTubeSpider",
}
DIRECT = {
    "bluesky": "crawlers.jetstream:consume_jetstream",
    "import": "crawlers.importer:import_files",
}


def _load(reference: str) -> object:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def spider_class(source_type: str) -> type[MentionSpider] | None:
    """The spider for a polled source type, or None for a directly-run one."""
    reference = SPIDERS.get(source_type)
    return None if reference is None else _load(reference)  # type: ignore[return-value]


def direct_crawl(source_type: str) -> DirectCrawl | None:
    """The function that crawls a non-Scrapy source type, or None."""
    reference = DIRECT.get(source_type)
    return None if reference is None else _load(reference)  # type: ignore[return-value]
