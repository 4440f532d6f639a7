"""YouTube comment threads of chosen videos or channels through the Data API v3.

``GET {base}/commentThreads?part=snippet&videoId=ID&order=time&maxResults=100&textFormat=html
&searchTerms=TERM`` (``allThreadsRelatedToChannelId=ID`` for a channel), newest first, paged
by ``nextPageToken``. The API key goes in the ``X-Goog-Api-Key`` header (a documented system
parameter), never in a URL. The cursor of each (video or channel, term) is the newest
``publishedAt`` collected; paging stops at the first comment that is not newer. A video with
comments disabled is skipped; a used-up quota ends the crawl's further requests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, signals
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from config import YouTubeSource
from crawlers.convert import html_to_text, parse_time
from crawlers.spiders.base import MentionSpider

__all__ = ["YouTubeSpider"]

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
WATCH_URL = "https://www.youtube.com/watch?{}"
TARGET_PARAMS = {"video": "videoId", "channel": "allThreadsRelatedToChannelId"}
SKIPPED_REASONS = frozenset({"commentsDisabled"})
FATAL_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "keyInvalid", "forbidden"})


class YouTubeSpider(MentionSpider):
    name = "youtube"
    source_type = "youtube"
    stopped = ""  # the API error reason that ends further requests

    async def start(self) -> AsyncIterator[Request]:
        if not isinstance(self.source, YouTubeSource):
            return
        base = str(self.source.base_url).rstrip("/")
        targets = [("video", v) for v in self.source.video_ids]
        targets += [("channel", c) for c in self.source.channel_ids]
        for kind, target in targets:
            for term in self.terms:
                await self.lazily()
                if self.stopped:
                    return
                query = f"{kind}:{target}:{term.phrase}"
                since = self.cursors.get(query, "")
                yield self.page_request(
                    base, (kind, target), term=term.phrase, query=query, since=since
                )

    async def lazily(self) -> None:
        """Wait while the engine is busy, so a used-up quota stops the requests not yet made
        (Scrapy's documented lazy ``start``)."""
        engine = self.crawler.engine
        if engine is not None and engine.needs_backout():
            await self.crawler.signals.wait_for(signals.scheduler_empty)

    def page_request(
        self,
        base: str,
        target: tuple[str, str],
        *,
        term: str,
        query: str,
        since: str,
        page_token: str = "",
        page: int = 1,
    ) -> Request:
        kind, target_id = target
        params = {
            "part": "snippet",
            TARGET_PARAMS[kind]: target_id,
            "order": "time",
            "maxResults": PAGE_SIZE,
            "textFormat": "html",
            "searchTerms": term,
        }
        if page_token:
            params["pageToken"] = page_token
        key = (
            self.source.api_key.get_secret_value() if isinstance(self.source, YouTubeSource) else ""
        )
        return self.request(
            f"{base}/commentThreads?{urlencode(params)}",
            self.parse,
            query,
            headers={"X-Goog-Api-Key": key},
            cb_kwargs={
                "base": base,
                "target": target,
                "term": term,
                "since": since,
                "page": page,
            },
        )

    def parse(
        self,
        response: Response,
        *,
        base: str = "",
        target: tuple[str, str] = ("video", ""),
        term: str = "",
        since: str = "",
        page: int = 1,
    ) -> Iterator[Any]:
        """Comments newer than the cursor become mentions; pages follow until known ones.

        @fixture youtube/comment_threads.json
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id url text published_at author engagement thread_id
        """
        body = self.read_json(response)
        items = body.get("items") if isinstance(body, dict) else None
        query = response.meta.get("query", "")
        if not isinstance(body, dict) or not isinstance(items, list):
            if body is not None:
                self.malformed(response, "no items list")
                self.failed_queries.add(query)
            return
        cutoff = parse_time(since) if since else None
        newest = self.next_cursors.get(query) or self.cursors.get(query, "")
        reached_known = False
        for thread in items:
            found = self.thread_to_mention(response, thread, term)
            if found is None:
                continue
            item, published = found
            if cutoff is not None and published <= cutoff:
                reached_known = True
                if published < cutoff:
                    continue
            if not newest or published > parse_time(newest):
                newest = _iso(published)
            yield item
        if query and newest:
            self.advance(query, newest)
        token = body.get("nextPageToken")
        more = base and not reached_known and not self.stopped and page < self.max_pages
        if more and isinstance(token, str) and token:
            yield self.page_request(
                base, target, term=term, query=query, since=since, page_token=token, page=page + 1
            )

    @property
    def max_pages(self) -> int:
        return self.source.max_pages if self.source is not None else 1

    def thread_to_mention(
        self, response: Response, thread: Any, term: str
    ) -> tuple[dict[str, Any], datetime] | None:
        try:
            snippet = thread["snippet"]
            comment = snippet["topLevelComment"]
            comment_id = str(comment["id"])
            inner = comment["snippet"]
            published = parse_time(str(inner["publishedAt"]))
        except (KeyError, TypeError, ValueError) as exc:
            self.malformed(response, f"comment thread without {exc}")
            return None
        video = snippet.get("videoId") or inner.get("videoId")
        channel = (inner.get("authorChannelId") or {}).get("value")
        name = inner.get("authorDisplayName")
        where = {"v": video, "lc": comment_id} if video else {"lc": comment_id}
        item = self.mention(
            response,
            native_id=comment_id,
            url=WATCH_URL.format(urlencode(where)),
            text=html_to_text(inner.get("textDisplay")) or str(inner.get("textOriginal") or ""),
            author={
                "id": channel,
                "handle": name if isinstance(name, str) and name.startswith("@") else None,
                "name": name,
            },
            published_at=published,
            engagement={"likes": inner.get("likeCount"), "replies": snippet.get("totalReplyCount")},
            thread_id=video or str(thread.get("id") or comment_id),
            query=term or None,
        )
        return item, published

    def on_error(self, failure: Failure) -> None:
        """Name the API's error reason; comments turned off are no failure, a used-up
        quota or a refused key stops further requests."""
        reason, message = _api_error(failure)
        if reason in SKIPPED_REASONS:
            request = getattr(failure, "request", None)
            logger.warning("%s: skipped %s (%s)", self.source_name, request, reason)
            self.count(f"kikimimi/youtube/{reason}")
            return
        if reason and reason == self.stopped:
            logger.debug("%s: %s again", self.source_name, reason)
        elif reason:
            logger.error("%s: YouTube API error %s: %s", self.source_name, reason, message)
        if reason in FATAL_REASONS:
            self.stopped = reason
        super().on_error(failure)


def _api_error(failure: Failure) -> tuple[str, str]:
    """The first ``errors[].reason`` and the message of a Data API error response."""
    if not isinstance(failure.value, HttpError):
        return "", ""
    response = failure.value.response
    try:
        error = json.loads(response.body)["error"]
        return str(error["errors"][0]["reason"]), html_to_text(str(error.get("message", "")))
    except (ValueError, KeyError, IndexError, TypeError):
        return "", ""


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
