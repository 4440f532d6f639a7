"""A Discourse forum's search, each hit's full post fetched.

``GET {forum}/search.json?q=TERM order:latest&page=N`` (from 1) lists matching posts newest
first with their topics; ``grouped_search_result.more_full_page_results`` says whether another
page exists. Each hit's post comes from ``GET {forum}/posts/{id}.json`` (``cooked`` HTML; a
``deleted_at`` or ``user_deleted`` post is a deleted mention). The cursor of a term is the
newest ``created_at`` collected: the next run adds ``after:`` (the day before it) to the query,
fetches only posts newer than it and stops paging at the first older hit.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from scrapy import Request
from scrapy.http import Response

from config import DiscourseSource
from crawlers.convert import html_to_text, parse_time
from crawlers.queries import SearchTerm
from crawlers.spiders.base import MentionSpider

__all__ = ["DiscourseSpider"]

logger = logging.getLogger(__name__)

LIKE = 2  # the post action type id of a like
GONE = [403, 404]  # a post deleted or hidden since the search: skipped


class DiscourseSpider(MentionSpider):
    name = "discourse"
    source_type = "discourse"

    async def start(self) -> AsyncIterator[Request]:
        for term in self.terms:
            yield self.search_request(term.phrase, search_text(term, self.since(term.phrase)))

    @property
    def max_pages(self) -> int:
        return self.source.max_pages if self.source is not None else 1

    def forum(self, response: Response | None = None) -> str:
        """The forum's base URL (a sample response's own under ``scrapy check``)."""
        if isinstance(self.source, DiscourseSource):
            return str(self.source.base_url).rstrip("/")
        return response.urljoin("/").rstrip("/") if response is not None else ""

    def since(self, query: str) -> datetime | None:
        cursor = self.cursors.get(query)
        return parse_time(cursor) if cursor else None

    # search

    def search_request(self, query: str, text: str, page: int = 1) -> Request:
        params = urlencode({"q": text, "page": page}, quote_via=quote)
        return self.request(
            f"{self.forum()}/search.json?{params}",
            self.parse,
            query,
            cb_kwargs={"text": text, "page": page},
        )

    def parse(self, response: Response, text: str = "", page: int = 1) -> Iterator[Any]:
        """Hits newer than the cursor are fetched in full; the next page until an older hit.

        @fixture discourse/search.json
        @returns items 0 0
        @returns requests 3 3
        """
        body = self.read_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("posts"), list):
            if body is not None:
                self.fail(response, "no posts list")
            return
        query = response.meta.get("query", "")
        since = self.since(query)
        proposed = self.next_cursors.get(query)
        newest = parse_time(proposed) if proposed else since
        topics = {t.get("id"): t for t in body.get("topics") or [] if isinstance(t, dict)}
        reached_cursor = False
        for hit in body["posts"]:
            try:
                post_id = int(hit["id"])
                created = parse_time(str(hit["created_at"]))
            except (KeyError, TypeError, ValueError) as exc:
                self.malformed(response, f"search hit without {exc}")
                continue
            if since is not None and created <= since:
                reached_cursor = True
                continue
            newest = created if newest is None else max(newest, created)
            topic = topics.get(hit.get("topic_id")) or {}
            yield self.request(
                f"{self.forum(response)}/posts/{post_id}.json",
                self.parse_post,
                query,
                meta={"handle_httpstatus_list": GONE},
                cb_kwargs={"title": topic.get("title"), "likes": hit.get("like_count")},
            )
        if query and newest is not None:
            self.advance(query, newest.isoformat())
        grouped = body.get("grouped_search_result") or {}
        more = isinstance(grouped, dict) and bool(grouped.get("more_full_page_results"))
        if text and more and not reached_cursor and body["posts"] and page < self.max_pages:
            yield self.search_request(query, text, page + 1)

    # posts

    def parse_post(
        self, response: Response, title: str | None = None, likes: int | None = None
    ) -> Iterator[Any]:
        """A full post becomes a mention.

        @fixture discourse/post.json
        @returns items 1 1
        @returns requests 0 0
        @scrapes source native_id url text title published_at author engagement thread_id
        """
        if response.status in GONE:
            logger.info(
                "%s: %s is gone or hidden (HTTP %d): skipped",
                self.source_name,
                response.url,
                response.status,
            )
            return
        post = self.read_json(response)
        if not isinstance(post, dict):
            if post is not None:
                self.fail(response, "post is not an object")
            return
        item = self.post_to_mention(response, post, title, likes)
        if item is not None:
            yield item

    def post_to_mention(
        self, response: Response, post: dict[str, Any], title: str | None, likes: int | None
    ) -> dict[str, Any] | None:
        try:
            native_id = str(int(post["id"]))
            published = parse_time(str(post["created_at"]))
            topic_id = int(post["topic_id"])
            number = int(post["post_number"])
        except (KeyError, TypeError, ValueError) as exc:
            self.fail(response, f"post without {exc}")
            return None
        slug = post.get("topic_slug") or "topic"
        user_id = post.get("user_id")
        return self.mention(
            response,
            native_id=native_id,
            url=f"{self.forum(response)}/t/{slug}/{topic_id}/{number}",
            text=html_to_text(post.get("cooked")) or str(post.get("raw") or ""),
            title=title or None,
            author={
                "id": str(user_id) if user_id is not None else None,
                "handle": post.get("username"),
                "name": post.get("name") or None,
            },
            published_at=published,
            engagement={
                "likes": _count(_likes(post), likes),
                "replies": _count(post.get("reply_count")),
                "views": _count(post.get("reads")),
            },
            thread_id=str(topic_id),
            deleted=bool(post.get("deleted_at")) or bool(post.get("user_deleted")),
        )

    def fail(self, response: Response, reason: str) -> None:
        """Data not in the format: counted, and its query keeps its cursor."""
        self.malformed(response, reason)
        self.failed_queries.add(response.meta.get("query", ""))


def search_text(term: SearchTerm, since: datetime | None) -> str:
    """``TERM order:latest``, with ``after:`` the day before the cursor once there is one."""
    text = f"{term.quoted()} order:latest"
    if since is not None:
        text += f" after:{(since - timedelta(days=1)).date().isoformat()}"
    return text


def _likes(post: dict[str, Any]) -> Any:
    for action in post.get("actions_summary") or []:
        if isinstance(action, dict) and action.get("id") == LIKE:
            return action.get("count")
    return None


def _count(*values: Any) -> int | None:
    """The first of ``values`` that is a plausible count."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None
