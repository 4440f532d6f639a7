"""The contract of crawls that do not run in Scrapy (the Jetstream consumer, bulk import)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from config import BrandSettings, Settings, SourceSettings
from crawlers.queries import SearchTerm
from crawlers.sink import MentionSink

__all__ = ["CrawlContext", "CrawlOutcome", "DirectCrawl"]


@dataclass(frozen=True)
class CrawlContext:
    """What a direct crawl gets: its settings, terms, saved cursors and the sink to feed."""

    settings: Settings
    source: SourceSettings
    brands: Sequence[BrandSettings]
    terms: Sequence[SearchTerm]
    cursors: Mapping[str, str]
    sink: MentionSink


@dataclass
class CrawlOutcome:
    """What a direct crawl reports: pages (messages, files) read, bad data, next cursors.

    ``next_cursors`` may only name positions whose mentions were all offered to the sink;
    the runner flushes the sink before saving them.
    """

    pages: int = 0
    malformed: int = 0
    next_cursors: dict[str, str] = field(default_factory=dict)
    error: str | None = None


class DirectCrawl(Protocol):
    def __call__(self, context: CrawlContext) -> CrawlOutcome: ...
