"""Hacker News stories and comments through the Algolia search API.

``GET {base}/api/v1/search_by_date?query=TERM&tags=(story,comment)&numericFilters=created_at_i>T``
newest first, paged by ``page`` until ``nbPages``. The cursor of a term is the newest
``created_at_i`` collected; the next run asks only for what is newer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from config import HackerNewsSource
from crawlers.convert import from_unix, html_to_text
from crawlers.spiders.base import MentionSpider

__all__ = ["HackerNewsSpider"]

HITS_PER_PAGE = 50
ITEM_URL = "https://news.ycombinator.com/item?id={}"


class HackerNewsSpider(MentionSpider):
    name = "hackernews"
    source_type = "hackernews"

    async def start(self) -> AsyncIterator[Request]:
        base = (
            str(self.source.base_url).rstrip("/")
            if isinstance(self.source, HackerNewsSource)
            else "https://hn.algolia.com"
        )
        for term in self.terms:
            since = int(self.cursors.get(term.phrase, "0"))
            yield self.page_request(base, term.phrase, since, page=0)

    def page_request(self, base: str, query: str, since: int, page: int) -> Request:
        params = {
            "query": query,
            "tags": "(story,comment)",
            "numericFilters": f"created_at_i>{since}",
            "hitsPerPage": HITS_PER_PAGE,
            "page": page,
        }
        return self.request(
            f"{base}/api/v1/search_by_date?{urlencode(params)}",
            self.parse,
            query,
            cb_kwargs={"base": base, "since": since},
        )

    def parse(self, response: Response, base: str = "", since: int = 0) -> Iterator[Any]:
        """Hits become mentions; the next page is requested until ``nbPages``.

        @fixture hackernews/search_by_date.json
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id url text published_at author
        """
        body = self.read_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
            if body is not None:
                self.malformed(response, "no hits list")
            return
        query = response.meta.get("query", "")
        page = int(body.get("page", 0)) + 1
        if base and page < int(body.get("nbPages", 0)) and page < self.max_pages:
            # Asked for first, so the next page downloads while this one's items are processed.
            yield self.page_request(base, query, since, page)
        newest = int(self.next_cursors.get(query, self.cursors.get(query, "0")))
        for hit in body["hits"]:
            item = self.hit_to_mention(response, hit)
            if item is None:
                continue
            newest = max(newest, int(hit["created_at_i"]))
            yield item
        if query:
            self.advance(query, str(newest))

    @property
    def max_pages(self) -> int:
        return self.source.max_pages if self.source is not None else 1

    def hit_to_mention(self, response: Response, hit: Any) -> dict[str, Any] | None:
        try:
            object_id = str(hit["objectID"])
            created = from_unix(int(hit["created_at_i"]))
            is_comment = "comment" in hit.get("_tags", [])
            html = hit.get("comment_text") if is_comment else hit.get("story_text")
            title = hit.get("story_title") if is_comment else hit.get("title")
        except (KeyError, TypeError, ValueError) as exc:
            self.malformed(response, f"hit without {exc}")
            return None
        text = html_to_text(html) or (title or "")
        parent = hit.get("parent_id")
        return self.mention(
            response,
            native_id=object_id,
            url=ITEM_URL.format(object_id),
            text=text,
            title=title or None,
            author={"id": hit.get("author"), "handle": hit.get("author")},
            published_at=created,
            engagement={"score": hit.get("points"), "replies": hit.get("num_comments")},
            reply_to=str(parent) if parent is not None else None,
            thread_id=str(hit.get("story_id") or object_id),
            deleted=hit.get("author") is None and not text,
        )
