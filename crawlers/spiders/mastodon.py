"""Mastodon: public hashtag timelines of one instance, plus status search with a token.

``GET {base}/api/v1/timelines/tag/{tag}?limit=40`` for each tag (the source's ``tags``, or the
brand terms as hashtags), newest first. A first run pages back through ``Link: rel="next"``
(``max_id``) up to ``max_pages``; later runs ask for ``min_id=CURSOR`` and page forward through
``rel="prev"`` (``min_id``) until a page is empty, so nothing posted between runs is skipped.
With a ``token`` (sent as ``Authorization: Bearer``, also on timelines, which some instances
restrict), each term is also searched: ``GET {base}/api/v2/search?type=statuses&q=TERM``,
newest first, paged by ``offset`` until the cursor is reached. The cursor of a tag (``#tag``)
or term is the newest status id seen (snowflake ids, compared as integers).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from scrapy import Request
from scrapy.http import Response

from config import MastodonSource
from crawlers.convert import html_to_text, parse_time
from crawlers.queries import hashtag
from crawlers.spiders.base import MentionSpider

__all__ = ["MastodonSpider"]

logger = logging.getLogger(__name__)

LIMIT = 40
REFUSALS = [401, 403]


class MastodonSpider(MentionSpider):
    name = "mastodon"
    source_type = "mastodon"

    async def start(self) -> AsyncIterator[Request]:
        for tag in self.tags():
            cursor = int(self.cursors.get(f"#{tag}", "0"))
            if cursor:
                yield self.timeline_request(tag, cursor, min_id=cursor)
            else:
                yield self.timeline_request(tag, 0)
        if self.token:
            for term in self.terms:
                since = int(self.cursors.get(term.phrase, "0"))
                yield self.search_request(term.phrase, term.with_exclusions(), since)

    # settings

    @property
    def base(self) -> str:
        if isinstance(self.source, MastodonSource):
            return str(self.source.base_url).rstrip("/")
        return ""

    @property
    def token(self) -> str | None:
        if isinstance(self.source, MastodonSource) and self.source.token is not None:
            return self.source.token.get_secret_value() or None
        return None

    @property
    def max_pages(self) -> int:
        return self.source.max_pages if self.source is not None else 1

    def tags(self) -> list[str]:
        """The source's tags, or each term as a hashtag (as ``crawlers.queries.hashtags``)."""
        if isinstance(self.source, MastodonSource) and self.source.tags:
            return list(dict.fromkeys(self.source.tags))
        return list(dict.fromkeys(t for t in (hashtag(x.phrase) for x in self.terms) if t))

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    # hashtag timelines

    def timeline_request(
        self,
        tag: str,
        since: int,
        *,
        min_id: int | None = None,
        max_id: int | None = None,
        page: int = 1,
    ) -> Request:
        params: dict[str, int] = {"limit": LIMIT}
        if max_id is not None:
            params["max_id"] = max_id
        if min_id is not None:
            params["min_id"] = min_id
        return self.request(
            f"{self.base}/api/v1/timelines/tag/{quote(tag, safe='')}?{urlencode(params)}",
            self.parse,
            f"#{tag}",
            headers=self.headers(),
            meta={"handle_httpstatus_list": REFUSALS},
            cb_kwargs={"tag": tag, "since": since, "page": page, "forward": min_id is not None},
        )

    def parse(
        self,
        response: Response,
        tag: str = "",
        since: int = 0,
        page: int = 1,
        forward: bool = False,
    ) -> Iterator[Any]:
        """A hashtag timeline page: statuses become mentions; ``Link`` leads to the next page.

        @fixture mastodon/tag_timeline.json
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id url text published_at author engagement lang
        """
        if response.status in REFUSALS:
            self.refused(response, "its public hashtag timeline")
            return
        statuses = self.read_json(response)
        if not isinstance(statuses, list):
            if statuses is not None:
                self.fail(response, "not a list of statuses")
            return
        yield from self.collect(response, statuses, since)
        if not statuses or not tag or page >= self.max_pages:
            return
        links = _links(response)
        if forward:
            newer = _link_id(links.get("prev"), "min_id")
            if newer is not None and newer > since:
                yield self.timeline_request(tag, newer, min_id=newer, page=page + 1)
        else:
            older = _link_id(links.get("next"), "max_id")
            if older is not None:
                yield self.timeline_request(tag, since, max_id=older, page=page + 1)

    # full-text search (needs a token)

    def search_request(
        self, query: str, text: str, since: int, offset: int = 0, page: int = 1
    ) -> Request:
        params: dict[str, str | int] = {"q": text, "type": "statuses", "limit": LIMIT}
        if offset:
            params["offset"] = offset
        if since:
            params["min_id"] = since
        return self.request(
            f"{self.base}/api/v2/search?{urlencode(params)}",
            self.parse_search,
            query,
            headers=self.headers(),
            meta={"handle_httpstatus_list": REFUSALS},
            cb_kwargs={"text": text, "since": since, "offset": offset, "page": page},
        )

    def parse_search(
        self, response: Response, text: str = "", since: int = 0, offset: int = 0, page: int = 1
    ) -> Iterator[Any]:
        """Search results, newest first; the next page until one reaches the cursor.

        @fixture mastodon/search.json
        @returns items 2 2
        @returns requests 0 0
        @scrapes source native_id url text published_at author
        """
        if response.status in REFUSALS:
            self.refused(response, "status search with the configured token")
            return
        body = self.read_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("statuses"), list):
            if body is not None:
                self.fail(response, "no statuses list")
            return
        statuses = body["statuses"]
        fresh = [s for s in statuses if (_status_id(s) or 0) > since]
        yield from self.collect(response, fresh, since)
        if text and statuses and len(fresh) == len(statuses) and page < self.max_pages:
            query = response.meta.get("query", "")
            yield self.search_request(query, text, since, offset + len(statuses), page + 1)

    # statuses

    def collect(self, response: Response, statuses: list[Any], since: int) -> Iterator[Any]:
        """Mentions of ``statuses`` newer than ``since``; proposes the newest id as cursor."""
        query = response.meta.get("query", "")
        newest = max(since, int(self.next_cursors.get(query, self.cursors.get(query, "0"))))
        for status in statuses:
            status_id = _status_id(status)
            if status_id is None:
                self.malformed(response, "status without a numeric id")
                continue
            item = self.status_to_mention(response, status) if status_id > since else None
            if item is not None:
                newest = max(newest, status_id)
                yield item
        if query and newest:
            self.advance(query, str(newest))

    def status_to_mention(self, response: Response, status: Any) -> dict[str, Any] | None:
        """A status as a mention; a reblog is its original status."""
        original = status.get("reblog") or status
        try:
            account = original["account"]
            native_id = str(original["id"])
            published = parse_time(str(original["created_at"]))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.malformed(response, f"status without {exc}")
            return None
        reply_to = original.get("in_reply_to_id")
        return self.mention(
            response,
            native_id=native_id,
            url=original.get("url") or original.get("uri"),
            text=html_to_text(original.get("content")),
            title=original.get("spoiler_text") or None,
            lang=original.get("language") or None,
            author={
                "id": str(account.get("id")) if account.get("id") is not None else None,
                "handle": account.get("acct") or account.get("username"),
                "name": account.get("display_name") or None,
                "followers": _count(account.get("followers_count")),
            },
            published_at=published,
            engagement={
                "likes": _count(original.get("favourites_count")),
                "reposts": _count(original.get("reblogs_count")),
                "replies": _count(original.get("replies_count")),
                "quotes": _count(original.get("quotes_count")),
            },
            reply_to=str(reply_to) if reply_to is not None else None,
        )

    # errors

    def fail(self, response: Response, reason: str) -> None:
        """A page not in the format: counted, and its query keeps its cursor."""
        self.malformed(response, reason)
        self.failed_queries.add(response.meta.get("query", ""))

    def refused(self, response: Response, what: str) -> None:
        query = response.meta.get("query", "")
        self.failed_queries.add(query)
        self.count("kikimimi/failed_requests")
        hint = "set a token" if not self.token else "check the token and its read scope"
        logger.error(
            "%s: the instance refuses %s for %r (HTTP %d): %s; skipped this query",
            self.source_name,
            what,
            query,
            response.status,
            hint,
        )


def _status_id(status: Any) -> int | None:
    try:
        return int(status["id"])
    except (KeyError, TypeError, ValueError):
        return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _links(response: Response) -> dict[str, str]:
    """The ``Link`` header as rel -> URL."""
    header = response.headers.get(b"Link")
    links: dict[str, str] = {}
    if not header:
        return links
    for part in header.decode("latin-1").split(","):
        url, _, params = part.partition(";")
        rel = params.split("rel=", 1)[-1].strip().strip('"') if "rel=" in params else ""
        if rel:
            links[rel] = url.strip().strip("<>")
    return links


def _link_id(url: str | None, name: str) -> int | None:
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get(name)
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None
