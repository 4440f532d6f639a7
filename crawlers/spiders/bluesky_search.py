"""Bluesky post search (``app.bsky.feed.searchPosts``) with an app-password session.

``POST {base}/xrpc/com.atproto.server.createSession`` (``identifier``, app ``password``) gives
``accessJwt``/``refreshJwt``; then ``GET {base}/xrpc/app.bsky.feed.searchPosts?q=TERM
&sort=latest&limit=100&since=ISO`` with ``Authorization: Bearer accessJwt``, paged within a run
by the opaque ``cursor``. The cursor of a term is the newest ``sortAt`` collected (the earlier
of ``createdAt`` and ``indexedAt``, what ``since`` compares), so the next run asks only for
newer posts. An ``ExpiredToken`` answer refreshes the session once and asks again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from config import BlueskySearchSource
from crawlers.convert import parse_time
from crawlers.logsafe import hide_in_logs
from crawlers.spiders.base import MentionSpider

__all__ = ["BlueskySearchSpider"]

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
POST_URL = "https://bsky.app/profile/{}/post/{}"
AUTH_QUERY = "(session)"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})
MAX_REFRESHES = 2


class BlueskySearchSpider(MentionSpider):
    name = "bluesky_search"
    source_type = "bluesky_search"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_jwt = ""
        self.refresh_jwt = ""
        self.session = 0  # bumped by each refresh; requests carry the one they were sent with
        self.refreshes = 0
        self.waiting: list[Request] = []  # searches to send again once the refresh is done

    @property
    def base(self) -> str:
        if isinstance(self.source, BlueskySearchSource):
            return str(self.source.base_url).rstrip("/")
        return "https://bsky.social"

    async def start(self) -> AsyncIterator[Request]:
        if not isinstance(self.source, BlueskySearchSource):
            return
        body = {
            "identifier": self.source.identifier,
            "password": self.source.app_password.get_secret_value(),
        }
        yield self.request(
            self.base + CREATE_SESSION,
            self.on_session,
            AUTH_QUERY,
            method="POST",
            body=json.dumps(body),
            headers={"Content-Type": "application/json"},
            meta={"handle_httpstatus_list": [400, 401]},
        )

    def on_session(self, response: Response) -> Iterator[Request]:
        """With a session, one search per term."""
        if response.status != 200:
            name, message = _xrpc_error(response)
            logger.error("%s: createSession refused (%s: %s)", self.source_name, name, message)
            self.failed_queries.add(AUTH_QUERY)
            return
        if not self.take_session(response):
            return
        for term in self.terms:
            since = self.cursors.get(term.phrase, "")
            yield self.search_request(term.phrase, since, cursor="", page=1)

    def take_session(self, response: Response) -> bool:
        body = self.read_json(response)
        access = body.get("accessJwt") if isinstance(body, dict) else None
        refresh = body.get("refreshJwt") if isinstance(body, dict) else None
        if not isinstance(access, str) or not isinstance(refresh, str) or not access:
            if body is not None:
                self.malformed(response, "no accessJwt/refreshJwt")
                self.failed_queries.add(AUTH_QUERY)
            return False
        hide_in_logs(access)
        hide_in_logs(refresh)
        self.access_jwt, self.refresh_jwt = access, refresh
        return True

    def search_request(self, query: str, since: str, cursor: str, page: int) -> Request:
        params = {"q": _quoted(query), "sort": "latest", "limit": PAGE_SIZE}
        if since:
            params["since"] = since
        if cursor:
            params["cursor"] = cursor
        return self.request(
            f"{self.base}{SEARCH}?{urlencode(params)}",
            self.parse,
            query,
            headers={"Authorization": f"Bearer {self.access_jwt}"},
            meta={"handle_httpstatus_list": [400, 401], "session": self.session},
            cb_kwargs={"since": since, "page": page},
            dont_filter=True,
        )

    def parse(self, response: Response, since: str = "", page: int = 1) -> Iterator[Any]:
        """Posts become mentions; the ``cursor`` pages on until posts are not newer.

        @fixture bluesky_search/search_posts.json
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id url text lang published_at author engagement
        """
        query = response.meta.get("query", "")
        if response.status != 200:
            yield from self.on_xrpc_error(response)
            return
        body = self.read_json(response)
        posts = body.get("posts") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(posts, list):
            if body is not None:
                self.malformed(response, "no posts list")
                self.failed_queries.add(query)
            return
        cutoff = parse_time(since) if since else None
        newest = self.next_cursors.get(query) or self.cursors.get(query, "")
        reached_known = False
        for post in posts:
            found = self.post_to_mention(response, post)
            if found is None:
                continue
            item, sort_at = found
            if cutoff is not None and sort_at <= cutoff:
                reached_known = True
            if not newest or sort_at > parse_time(newest):
                newest = _iso(sort_at)
            yield item
        if query and newest:
            self.advance(query, newest)
        cursor = body.get("cursor")
        more = bool(posts) and not reached_known and page < self.max_pages
        if more and isinstance(cursor, str) and cursor:
            yield self.search_request(query, since, cursor, page + 1)

    @property
    def max_pages(self) -> int:
        return self.source.max_pages if self.source is not None else 1

    def on_xrpc_error(self, response: Response) -> Iterator[Request]:
        """An expired session is refreshed (once per expiry) and the search sent again."""
        name, message = _xrpc_error(response)
        query = response.meta.get("query", "")
        again = response.request
        if name in EXPIRED and again is not None:
            if response.meta.get("session") != self.session:  # already refreshed since
                yield self.resend(again)
                return
            if self.refreshes < MAX_REFRESHES:
                self.waiting.append(again)
                if len(self.waiting) == 1:
                    yield self.refresh_request()
                return
        logger.error(
            "%s: search for %r refused (%s %s: %s)",
            self.source_name,
            query,
            response.status,
            name,
            message,
        )
        self.failed_queries.add(query)

    def refresh_request(self) -> Request:
        self.refreshes += 1
        logger.info("%s: session expired, refreshing it", self.source_name)
        return Request(
            self.base + REFRESH_SESSION,
            method="POST",
            headers={"Authorization": f"Bearer {self.refresh_jwt}"},
            callback=self.on_refreshed,
            errback=self.on_refresh_failed,
            meta={"query": AUTH_QUERY},
            dont_filter=True,
        )

    def on_refreshed(self, response: Response) -> Iterator[Request]:
        if not self.take_session(response):
            self.fail_waiting()
            return
        self.session += 1
        waiting, self.waiting = self.waiting, []
        for request in waiting:
            yield self.resend(request)

    def on_refresh_failed(self, failure: Any) -> None:
        self.on_error(failure)
        self.fail_waiting()

    def fail_waiting(self) -> None:
        for request in self.waiting:
            self.failed_queries.add(request.meta.get("query", ""))
        self.waiting = []

    def resend(self, request: Request) -> Request:
        headers = {"Authorization": f"Bearer {self.access_jwt}"}
        meta = {**request.meta, "session": self.session}
        return request.replace(headers=headers, meta=meta, dont_filter=True)

    def post_to_mention(
        self, response: Response, post: Any
    ) -> tuple[dict[str, Any], datetime] | None:
        try:
            uri = str(post["uri"])
            author = post["author"]
            did = str(author["did"])
            record = post["record"]
            created = parse_time(str(record["createdAt"]))
            indexed = parse_time(str(post.get("indexedAt") or record["createdAt"]))
            text = str(record.get("text") or "")
        except (KeyError, TypeError, ValueError) as exc:
            self.malformed(response, f"post without {exc}")
            return None
        handle = author.get("handle")
        if not isinstance(handle, str) or handle == "handle.invalid":
            handle = None  # the handle no longer resolves to this account
        langs = record.get("langs")
        reply = record.get("reply")
        item = self.mention(
            response,
            native_id=uri,
            url=POST_URL.format(handle or did, uri.rsplit("/", 1)[-1]),
            text=text,
            lang=langs[0] if isinstance(langs, list) and langs else None,
            author={"id": did, "handle": handle, "name": author.get("displayName") or None},
            published_at=created,
            engagement={
                "likes": post.get("likeCount"),
                "reposts": post.get("repostCount"),
                "replies": post.get("replyCount"),
                "quotes": post.get("quoteCount"),
            },
            reply_to=_ref(reply, "parent"),
            thread_id=_ref(reply, "root") or uri,
        )
        return item, min(created, indexed)


def _xrpc_error(response: Response) -> tuple[str, str]:
    """The ``error`` name and ``message`` of an XRPC error answer."""
    try:
        body = json.loads(response.body)
        return str(body["error"]), str(body.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"HTTP {response.status}", "not an XRPC error"


def _ref(reply: Any, which: str) -> str | None:
    """The at-uri of a reply's ``parent`` or ``root`` strong ref."""
    ref = reply.get(which) if isinstance(reply, dict) else None
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) else None


def _quoted(phrase: str) -> str:
    """A multi-word phrase in quotes: searchPosts takes Lucene-like syntax."""
    return f'"{phrase}"' if " " in phrase and '"' not in phrase else phrase


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
