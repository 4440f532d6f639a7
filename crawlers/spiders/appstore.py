"""Apple App Store customer reviews, from the RSS feed in JSON, newest first.

``GET {base}/{cc}/rss/customerreviews/page=N/id=APP/sortby=mostrecent/json`` for each country
and app: 50 reviews a page, pages 1 to 10 at most (``max_pages``); the feed's ``last`` link
names the last page and a page past it has no ``entry``. A review's time is its ``updated``;
many real feeds (the 2015 to 2020 captures, for one) give reviews none, and then it is the
feed's own ``updated`` (when the feed was built, so the review is no newer), or the
collection time when the feed has none either. The cursor of a (country, app) is the newest
review time collected (Unix seconds); the next run stops paging at the first review not newer
than it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from config import AppStoreSource
from crawlers.convert import parse_time
from crawlers.spiders.base import MentionSpider

__all__ = ["AppStoreSpider"]

PER_PAGE = 50
LAST_PAGE = 10  # the feed serves no more than ten pages
_PAGE = re.compile(r"/page=(\d+)/")
_USER = re.compile(r"/id(\d+)")


class AppStoreSpider(MentionSpider):
    name = "appstore"
    source_type = "appstore"

    async def start(self) -> AsyncIterator[Request]:
        if not isinstance(self.source, AppStoreSource):
            return
        base = str(self.source.base_url).rstrip("/")
        for country in self.source.countries:
            for app in self.source.app_ids:
                yield self.page_request(base, country, app, 1)

    def page_request(self, base: str, country: str, app: str, page: int) -> Request:
        return self.request(
            f"{base}/{country}/rss/customerreviews/page={page}/id={app}/sortby=mostrecent/json",
            self.parse,
            f"{country}/{app}",
            cb_kwargs={"base": base, "country": country, "app": app, "page": page},
        )

    @property
    def max_pages(self) -> int:
        return min(self.source.max_pages, LAST_PAGE) if self.source is not None else 1

    def parse(
        self, response: Response, base: str = "", country: str = "", app: str = "", page: int = 1
    ) -> Iterator[Any]:
        """Reviews newer than the cursor become mentions; the next page follows until the last
        one, ``max_pages``, or a review already collected.

        @fixture appstore/customerreviews.json
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id text title published_at author engagement
        """
        body = self.read_json(response)
        feed = body.get("feed") if isinstance(body, dict) else None
        if not isinstance(feed, dict):
            if body is not None:
                self.malformed(response, "no feed object")
            return
        key = response.meta.get("query", "")
        since = int(self.cursors.get(key, "0"))
        newest = int(self.next_cursors.get(key, str(since)))
        entries = feed.get("entry", [])
        entries = [entries] if isinstance(entries, dict) else entries
        if not isinstance(entries, list):
            self.malformed(response, "entry is neither a list nor an object")
            self.failed_queries.add(key)
            return
        caught_up = False
        built_at = self.feed_time(feed)
        for entry in entries:
            if isinstance(entry, dict) and "im:rating" not in entry and "im:name" in entry:
                continue  # older feeds open with the app itself
            item = self.entry_to_mention(response, entry, country, built_at)
            if item is None:
                continue
            updated = int(item["published_at"].timestamp())
            if updated <= since:
                caught_up = True
                continue
            newest = max(newest, updated)
            yield item
        if key:
            self.advance(key, str(newest))
        last = min(self.max_pages, last_page(feed))
        if base and entries and not caught_up and page < last:
            yield self.page_request(base, country, app, page + 1)

    def feed_time(self, feed: dict[str, Any]) -> datetime:
        """When the feed was built (its ``updated``), else the collection time."""
        try:
            return parse_time(feed["updated"]["label"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return self.collected_at

    def entry_to_mention(
        self, response: Response, entry: Any, country: str, built_at: datetime
    ) -> dict[str, Any] | None:
        try:
            review_id = str(entry["id"]["label"])
            updated = parse_time(entry["updated"]["label"]) if "updated" in entry else built_at
            rating = int(entry["im:rating"]["label"])
            text = _content(entry["content"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.malformed(response, f"review without {exc}")
            return None
        author = entry.get("author") or {}
        uri = _label(author.get("uri"))
        user = _USER.search(uri or "")
        link = entry.get("link")
        href = link.get("attributes", {}).get("href") if isinstance(link, dict) else None
        return self.mention(
            response,
            native_id=f"{country}:{review_id}" if country else review_id,
            url=href or None,
            text=text,
            title=_label(entry.get("title")) or None,
            author={"id": user.group(1) if user else None, "name": _label(author.get("name"))},
            published_at=updated,
            engagement={"score": rating},
        )


def last_page(feed: dict[str, Any]) -> int:
    """The page number of the feed's ``last`` link (``LAST_PAGE`` when it has none)."""
    links = feed.get("link", [])
    for link in links if isinstance(links, list) else [links]:
        attributes = link.get("attributes", {}) if isinstance(link, dict) else {}
        if attributes.get("rel") == "last":
            found = _PAGE.search(str(attributes.get("href", "")).partition("?")[0])
            if found:
                return int(found.group(1))
    return LAST_PAGE


def _label(value: Any) -> str | None:
    label = value.get("label") if isinstance(value, dict) else None
    return str(label) if label is not None else None


def _content(content: Any) -> str:
    """The review's plain text (older feeds have a text and an HTML ``content``)."""
    if isinstance(content, list):
        content = next((c for c in content if c["attributes"]["type"] == "text"), content[0])
    return str(content["label"])
