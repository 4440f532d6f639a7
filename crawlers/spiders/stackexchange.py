"""Stack Exchange questions through ``/2.3/search/advanced`` on one site.

``GET {base}/2.3/search/advanced?q=TERM&site=SITE&sort=creation&order=desc&pagesize=100
&page=N&fromdate=T&filter=withbody`` (plus ``key`` when set), newest first, paged while
``has_more``. Responses are gzip-compressed (Scrapy decodes them); a ``backoff`` in one holds
every further request for that many seconds; errors come as HTTP 400 with ``error_id``,
``error_name`` and ``error_message``. The cursor of a term is the newest ``creation_date``
collected; the next run asks from the second after it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from config import StackExchangeSource
from crawlers.convert import from_unix, html_to_text
from crawlers.middlewares import pause_spider
from crawlers.spiders.base import MentionSpider

__all__ = ["StackExchangeSpider"]

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
SITE_LANGUAGES = {
    "ja.stackoverflow": "ja",
    "ru.stackoverflow": "ru",
    "pt.stackoverflow": "pt",
    "es.stackoverflow": "es",
}
TRANSIENT_ERRORS = frozenset({"internal_error", "temporarily_unavailable"})
FATAL_ERRORS = frozenset({"throttle_violation", "access_denied", "key_required"})


class StackExchangeSpider(MentionSpider):
    name = "stackexchange"
    source_type = "stackexchange"

    async def start(self) -> AsyncIterator[Request]:
        for term in self.terms:
            since = int(self.cursors.get(term.phrase, "-1")) + 1
            yield self.page_request(term.phrase, since, page=1)

    def page_request(self, query: str, since: int, page: int) -> Request:
        source = self.source if isinstance(self.source, StackExchangeSource) else None
        base = str(source.base_url).rstrip("/") if source else "https://api.stackexchange.com"
        params: dict[str, str | int] = {
            "q": query,
            "site": source.site if source else "stackoverflow",
            "sort": "creation",
            "order": "desc",
            "pagesize": PAGE_SIZE,
            "page": page,
            "filter": "withbody",
        }
        if since > 0:
            params["fromdate"] = since
        if source is not None and source.key is not None:
            params["key"] = source.key.get_secret_value()
        return self.request(
            f"{base}/2.3/search/advanced?{urlencode(params)}",
            self.parse,
            query,
            cb_kwargs={"since": since, "page": page},
            meta={"handle_httpstatus_list": [400]},
        )

    @property
    def max_pages(self) -> int:
        return self.source.max_pages if self.source is not None else 1

    @property
    def language(self) -> str | None:
        site = self.source.site if isinstance(self.source, StackExchangeSource) else ""
        return SITE_LANGUAGES.get(site.removesuffix(".com"))

    def parse(self, response: Response, since: int = 0, page: int = 1) -> Iterator[Any]:
        """Questions become mentions; the next page follows while ``has_more``.

        @fixture stackexchange/search_advanced.json
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id url text title published_at author engagement
        """
        body = self.read_json(response)
        if not isinstance(body, dict):
            if body is not None:
                self.malformed(response, "not a response wrapper")
            return
        query = response.meta.get("query", "")
        if isinstance(body.get("backoff"), int | float):
            pause_spider(self, float(body["backoff"]))
        if "error_id" in body or response.status != 200:
            yield from self.on_api_error(response, body)
            return
        items = body.get("items")
        if not isinstance(items, list):
            self.malformed(response, "no items list")
            self.failed_queries.add(query)
            return
        if body.get("quota_remaining") == 0 and body.get("has_more"):
            logger.warning(
                "%s: the daily quota is spent before the end of %r", self.source_name, query
            )
            self.failed_queries.add(query)  # the next run starts from the old cursor again
        elif query and body.get("has_more") and page < self.max_pages:
            # Asked for first, so the next page downloads while this one's items are processed.
            yield self.page_request(query, since, page + 1)
        newest = int(self.next_cursors.get(query, self.cursors.get(query, "0")))
        for question in items:
            item = self.question_to_mention(response, question)
            if item is None:
                continue
            newest = max(newest, int(question["creation_date"]))
            yield item
        if query:
            self.advance(query, str(newest))

    def on_api_error(self, response: Response, body: dict[str, Any]) -> Iterator[Request]:
        """A transient error is retried; others fail the query, or the crawl when they concern
        every request (throttling, the key)."""
        name = str(body.get("error_name", f"HTTP {response.status}"))
        message = str(body.get("error_message", ""))
        if name in TRANSIENT_ERRORS and response.request is not None:
            retry = get_retry_request(response.request, spider=self, reason=name)
            if retry is not None:
                pause_spider(self, self.settings.getfloat("KIKIMIMI_BACKOFF_BASE", 1.0))
                yield retry
                return
        query = response.meta.get("query", "")
        self.failed_queries.add(query)
        logger.error("%s: %s for %r: %s", self.source_name, name, query, message)
        if name in FATAL_ERRORS or (name == "bad_parameter" and message == "key"):
            raise CloseSpider(f"stackexchange_{name}")

    def question_to_mention(self, response: Response, question: Any) -> dict[str, Any] | None:
        try:
            question_id = str(question["question_id"])
            created = from_unix(int(question["creation_date"]))
            title = html.unescape(str(question["title"]))
        except (KeyError, TypeError, ValueError) as exc:
            self.malformed(response, f"question without {exc}")
            return None
        owner = question.get("owner") or {}
        user_id = owner.get("user_id")
        name = owner.get("display_name")
        return self.mention(
            response,
            native_id=question_id,
            url=question.get("link"),
            text=html_to_text(question.get("body")) or title,
            title=title,
            lang=self.language,
            author={
                "id": str(user_id) if user_id is not None else None,
                "name": html.unescape(name) if name else None,
            },
            published_at=created,
            engagement={
                "score": question.get("score"),
                "replies": question.get("answer_count"),
                "views": question.get("view_count"),
            },
            thread_id=question_id,
        )
