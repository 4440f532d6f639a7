"""Stand-in of Google News RSS search: ``GET /rss/search?q=&hl=&gl=&ceid=``.

Answers like https://news.google.com/rss/search: an RSS 2.0 feed (``application/xml``) of at
most 100 ``<item>``s in relevance order, not by date, each with ``<title>`` "Headline -
Publisher", ``<link>``, ``<guid isPermaLink="false">``, ``<pubDate>`` (RFC 822, GMT), an
HTML ``<description>`` (the headline's link and the publisher in ``<font>``) and
``<source url="...">Publisher</source>``. ``q`` takes words, "quoted phrases" and
``-excluded`` words or phrases; an edition serves the posts in its language (``ceid``'s
``:xx``; posts without ``lang`` are in every edition). Posts' ``author`` is the publisher.

A story cluster (``clusters[native_id]``: other outlets' headline and name) makes that
item's description an ``<ol>`` of ``<li><a href=...>headline</a>&nbsp;&nbsp;<font
color="#6f6f6f">Outlet</font></li>``, the item's own story first, then the related ones, as
real feeds do (alexpdp7/news-rss ``README.md`` shows one item parsed into five outlets'
headlines).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC
from email.utils import format_datetime
from html import escape
from urllib.parse import urlencode

from standins.server import Reply, Request, StandinPost
from standins.text import html_to_text

__all__ = ["NewsStandin", "headline"]

MAX_ITEMS = 100
_TERMS = re.compile(r'(-?)(?:"([^"]*)"|(\S+))')
XML = "application/xml; charset=utf-8"


class NewsStandin:
    """A request handler over ``posts`` (``title`` is the headline, ``author`` the publisher)."""

    def __init__(
        self,
        posts: Sequence[StandinPost],
        clusters: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    ) -> None:
        self.posts = list(posts)
        self.clusters = dict(clusters or {})

    def __call__(self, request: Request) -> Reply:
        if request.path != "/rss/search":
            return Reply(404, b"<html><body>Not Found</body></html>", "text/html")
        ceid = request.arg("ceid", "US:en")
        lang = ceid.partition(":")[2].split("-")[0].lower()
        include, exclude = _parse_query(request.arg("q"))
        items = [
            p
            for p in self.posts
            if not p.deleted
            and (p.lang is None or p.lang == lang)
            and all(t in _searchable(p) for t in include)
            and not any(t in _searchable(p) for t in exclude)
        ]
        items.sort(key=lambda p: hashlib.sha256(p.native_id.encode()).digest())  # "relevance"
        return Reply(200, _feed(request, items[:MAX_ITEMS], self.clusters).encode(), XML)


def headline(post: StandinPost) -> str:
    return post.title or html_to_text(post.text)


def _parse_query(q: str) -> tuple[list[str], list[str]]:
    include: list[str] = []
    exclude: list[str] = []
    for minus, phrase, word in _TERMS.findall(q):
        (exclude if minus else include).append((phrase or word).casefold())
    return include, exclude


def _searchable(post: StandinPost) -> str:
    return f"{headline(post)} {html_to_text(post.text)}".casefold()


def _feed(
    request: Request,
    posts: Sequence[StandinPost],
    clusters: Mapping[str, Sequence[tuple[str, str]]],
) -> str:
    params = {k: v[0] for k, v in request.query.items()}
    items = "".join(_item(p, clusters.get(p.native_id, ())) for p in posts)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        "<generator>NFE/5.0</generator>"
        f"<title>{escape(params.get('q', ''))} - Google News</title>"
        f"<link>https://news.google.com/search?{escape(urlencode(params))}</link>"
        f"<language>{escape(params.get('hl', 'en-US'))}</language>"
        "<webMaster>news-webmaster@google.com</webMaster>"
        "<copyright>Copyright 2026 Google. All rights reserved.</copyright>"
        "<lastBuildDate>Fri, 20 Nov 2026 09:00:00 GMT</lastBuildDate>"
        f"<description>Google News</description>{items}</channel></rss>"
    )


def _item(post: StandinPost, related: Sequence[tuple[str, str]]) -> str:
    link = f"https://news.google.com/rss/articles/CBMi{post.native_id}?oc=5"
    publisher = post.author
    description = _story(link, headline(post), publisher)
    if related:
        stories = [
            _story(f"https://news.google.com/rss/articles/CBMi{post.native_id}R{n}?oc=5", *other)
            for n, other in enumerate(related, 1)
        ]
        description = "<ol>" + "".join(f"<li>{s}</li>" for s in [description, *stories]) + "</ol>"
    name = re.sub(r"[^a-z0-9]+", "", publisher.casefold())
    site = f"https://{name or hashlib.sha256(publisher.encode()).hexdigest()[:8]}.example"
    return (
        "<item>"
        f"<title>{escape(headline(post))} - {escape(publisher)}</title>"
        f"<link>{escape(link)}</link>"
        f'<guid isPermaLink="false">CBMi{escape(post.native_id)}</guid>'
        f"<pubDate>{format_datetime(post.created_at.astimezone(UTC), usegmt=True)}</pubDate>"
        f"<description>{escape(description)}</description>"
        f'<source url="{escape(site)}">{escape(publisher)}</source>'
        "</item>"
    )


def _story(link: str, title: str, publisher: str) -> str:
    return (
        f'<a href="{escape(link)}" target="_blank">{escape(title)}</a>'
        f'&nbsp;&nbsp;<font color="#6f6f6f">{escape(publisher)}</font>'
    )
