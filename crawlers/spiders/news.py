"""Google News RSS search, one feed per search term and edition.

``GET {base}/rss/search?q=TERM&hl=HL&gl=GL&ceid=CEID`` answers an RSS 2.0 feed of up to 100
items in relevance order, with no paging: the whole feed is read. The cursor of each
(term, edition) is the newest ``pubDate`` collected (Unix seconds); the next run keeps only
items published after it. An item's description is its headline and publisher, or, for a
story cluster, an ``<ol>`` of several outlets' headlines: the mention keeps only the item's
own (the ``<li>`` linking to the item, else the first), never the related ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from lxml import etree
from parsel import Selector
from scrapy import Request
from scrapy.http import Response

from config import DEFAULT_EDITIONS, NewsEdition, NewsSource
from crawlers.convert import html_to_text
from crawlers.spiders.base import MentionSpider

__all__ = ["GoogleNewsSpider"]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class GoogleNewsSpider(MentionSpider):
    name = "news"
    source_type = "news"

    async def start(self) -> AsyncIterator[Request]:
        if isinstance(self.source, NewsSource):
            base, editions = str(self.source.base_url).rstrip("/"), self.source.editions
        else:
            base, editions = "https://news.google.com", DEFAULT_EDITIONS
        for term in self.terms:
            for edition in editions:
                params = {
                    "q": term.with_exclusions(),
                    "hl": edition.hl,
                    "gl": edition.gl,
                    "ceid": edition.ceid,
                }
                yield self.request(
                    f"{base}/rss/search?{urlencode(params)}",
                    self.parse,
                    query_key(term.phrase, edition),
                    cb_kwargs={"phrase": term.phrase, "lang": language(edition)},
                )

    def parse(self, response: Response, phrase: str = "", lang: str | None = None) -> Iterator[Any]:
        """Items of the feed published after the cursor become mentions.

        @fixture news/search.xml
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id url text title published_at author
        """
        feed = self.read_feed(response)
        if feed is None:
            return
        key = response.meta.get("query", "")
        since = int(self.cursors.get(key, "0"))
        newest = since
        for item in feed.xpath("/rss/channel/item"):
            mention = self.item_to_mention(response, item, phrase, lang)
            if mention is None:
                continue
            published = int(mention["published_at"].timestamp())
            if published <= since:
                continue
            newest = max(newest, published)
            yield mention
        if key:
            self.advance(key, str(newest))

    def read_feed(self, response: Response) -> Selector | None:
        """The feed as an XML selector, or None (counted as malformed) when it is not RSS."""
        try:
            root = etree.fromstring(response.body, _PARSER)
        except etree.XMLSyntaxError as exc:
            reason = f"not XML ({exc})"
        else:
            if root.tag == "rss" and root.find("channel") is not None:
                return Selector(root=root, type="xml")
            reason = f"not an RSS feed (root <{root.tag}>)"
        self.malformed(response, reason)
        query = response.meta.get("query")
        if query is not None:
            self.failed_queries.add(query)
        return None

    def item_to_mention(
        self, response: Response, item: Selector, phrase: str, lang: str | None
    ) -> dict[str, Any] | None:
        guid = (item.xpath("guid/text()").get() or "").strip()
        link = (item.xpath("link/text()").get() or "").strip()
        headline = (item.xpath("title/text()").get() or "").strip()
        try:
            published = parsedate_to_datetime(item.xpath("pubDate/text()").get() or "")
        except (TypeError, ValueError) as exc:
            self.malformed(response, f"item {guid or link!r} without a pubDate ({exc})")
            return None
        if not (guid or link) or published.tzinfo is None:
            self.malformed(response, f"item {guid or link!r} without guid or time zone")
            return None
        publisher = (item.xpath("source/text()").get() or "").strip()
        if publisher:
            headline = headline.removesuffix(f" - {publisher}")
        snippet = html_to_text(own_story(item.xpath("description/text()").get(), link))
        if publisher:
            snippet = snippet.removesuffix(publisher).rstrip()
        return self.mention(
            response,
            native_id=guid or link,
            url=link or None,
            text=snippet or headline,
            title=headline or None,
            lang=lang,
            author={
                "id": item.xpath("source/@url").get() or None,
                "name": publisher or None,
            },
            published_at=published,
            query=phrase or response.meta.get("query") or None,
        )


def own_story(description: str | None, link: str) -> str | None:
    """The item's own part of its description HTML: in a story cluster (an ``<ol>`` of
    outlets' headlines) the ``<li>`` linking to the item, else the first; else all of it."""
    if not description or "<li" not in description.lower():
        return description
    stories = Selector(text=description, type="html").xpath("//li")
    if not stories:
        return description
    own = next((s for s in stories if s.xpath("a/@href").get() == link), stories[0])
    return str(own.get())


def query_key(phrase: str, edition: NewsEdition) -> str:
    """The cursor key of a term in an edition, e.g. ``JP:ja ほしモバイル``."""
    return f"{edition.ceid} {phrase}"


def language(edition: NewsEdition) -> str:
    """The edition's language code: ``en-US`` gives ``en``, ``ja`` gives ``ja``."""
    return edition.ceid.partition(":")[2].split("-")[0].lower() or edition.hl.split("-")[0]
