"""The base of every source's spider: its source settings, terms, cursors and helpers.

A spider reads the cursor of each query from ``self.cursors`` and proposes the next one
with :meth:`MentionSpider.advance`; the :class:`~crawlers.extensions.CrawlRecorder` saves
the proposals only for queries that finished without errors, after the queue is flushed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from config import SourceBase
from crawlers.cursors import cursor_later
from crawlers.queries import SearchTerm

__all__ = ["MentionSpider"]

logger = logging.getLogger(__name__)


class MentionSpider(Spider):
    """A spider that turns one source's format into Mention items (dicts)."""

    source_type: ClassVar[str]

    def __init__(
        self,
        source: SourceBase | None = None,
        terms: Sequence[SearchTerm] = (),
        cursors: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.source_name = source.name if source is not None else self.name
        self.terms = list(terms)
        self.cursors = dict(cursors or {})
        self.next_cursors: dict[str, str] = {}
        self.failed_queries: set[str] = set()
        self.collected_at = datetime.now(UTC)

    # cursors

    def advance(self, query: str, value: str) -> None:
        """Propose ``value`` as the cursor of ``query`` once this crawl ends well. Cursors
        only move forward: pages of one query are parsed concurrently, so a later page (older
        posts) may finish after an earlier one."""
        current = self.next_cursors.get(query)
        if current is None or _later(value, current):
            self.next_cursors[query] = value

    # requests

    def request(self, url: str, callback: Any, query: str, **kwargs: Any) -> Request:
        """A request for ``query`` whose failure keeps that query's cursor where it was."""
        meta = {**kwargs.pop("meta", {}), "query": query}
        return Request(url, callback=callback, errback=self.on_error, meta=meta, **kwargs)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        query = request.meta.get("query", "") if request is not None else ""
        self.failed_queries.add(query)
        self.count("kikimimi/failed_requests")
        logger.error("%s: request for %r failed: %s", self.source_name, query, failure.value)

    # items

    def mention(self, response: Response, **fields: Any) -> dict[str, Any]:
        """An item: the given Mention fields plus source, query and collection time."""
        return {
            "source": self.source_name,
            "collected_at": self.collected_at,
            "query": response.meta.get("query") or None,
            **fields,
        }

    # bad data

    def count(self, key: str, by: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, by)

    def malformed(self, response: Response, reason: str) -> None:
        """Count and log a page or entry that is not in the source's format; it is skipped."""
        self.count("kikimimi/malformed")
        logger.warning(
            "%s: skipped malformed data from %s: %s", self.source_name, response.url, reason
        )

    def read_json(self, response: Response) -> Any | None:
        """The page's JSON, or None (counted as malformed) when it is not JSON."""
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            self.malformed(response, f"not JSON ({exc})")
            query = response.meta.get("query")
            if query is not None:
                self.failed_queries.add(query)
            return None


def _later(value: str, than: str) -> bool:
    """Whether cursor ``value`` is past ``than``: as numbers, else as times, else as text."""
    later = cursor_later(value, than)
    return value > than if later is None else later
