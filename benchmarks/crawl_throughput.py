"""Crawl throughput against the local stand-ins, with a raw HTTP client as the bound.

For each HTTP source that has a stand-in in :mod:`standins`, ``--count`` realistic
synthetic posts (English and Japanese, from :mod:`benchmarks.synthetic`, shaped as the source
needs: numeric ids, hashtags, titles, feeds, countries, videos) are served on 127.0.0.1. An
untimed pass of the raw client renders every page once; later GETs are answered from memory
(the stand-ins redo O(posts) work for each page, which is not what is measured). Then

* ``raw``: exactly the pages the spider asks for (same URLs and paging, authentication calls
  included) are fetched one after another with ``urllib`` and decoded (JSON, XML, gzip) — the
  least any crawler must do; the fastest of three passes; and
* ``crawl``: ``kikimimi crawl`` runs against them as in production (a fresh process, Scrapy,
  conversion to Mention, validation, de-duplication, the durable queue, cursors), with
  politeness off (``requests_per_second`` 1000, AutoThrottle off, ``max_pages`` 1000 or the
  source's own limit).

Prints pages/s and mentions/s for both, the crawl's in-process time (spider open to close, from
the recorded CrawlRun) and whole-process time, CPU times, and for each source the ratio
crawl/raw (in-process mentions/s over raw mentions/s). Ends with a table and, last,
``ratio crawl/raw (median over sources): X.XX``.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from email.message import Message
from html import escape
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import yaml

from benchmarks.synthetic import generate_mentions
from config import DEFAULT_EDITIONS
from crawlers import SearchTerm, SqliteCrawlState
from standins import (
    AppStoreStandin,
    BlueskySearchStandin,
    DiscourseStandin,
    HackerNewsStandin,
    MastodonStandin,
    NewsStandin,
    RedditStandin,
    Reply,
    Request,
    StackExchangeStandin,
    StandinPost,
    StandinServer,
    YouTubeStandin,
    html_to_text,
)

QUERY = "hoshi"
MAX_PAGES = 1000  # the most a source allows; enough for every post at any modest --count
RAW_PASSES = 3  # the raw bound is the fastest of these, after a warm-up pass
Handler = Callable[[Request], Reply]


# figures


@dataclass(frozen=True)
class Figures:
    pages: int
    mentions: int
    seconds: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds

    @property
    def mentions_per_second(self) -> float:
        return self.mentions / self.seconds

    def line(self, label: str) -> str:
        return (
            f"{label:<22} {self.pages:>6} pages {self.mentions:>7} mentions"
            f" in {self.seconds:6.2f} s = {self.pages_per_second:8.1f} pages/s"
            f" {self.mentions_per_second:9.1f} mentions/s"
        )


@dataclass(frozen=True)
class Cpu:
    """CPU seconds: the fastest raw pass's client thread, the crawl process, and the stand-in
    after the warm-up (about 0 when every page came from memory)."""

    raw_client: float
    crawl_process: float
    serving: float

    def line(self) -> str:
        return (
            f"{'CPU':<22} raw client {self.raw_client:.2f} s, crawl process"
            f" {self.crawl_process:.2f} s, stand-in after the warm-up {self.serving:.2f} s"
        )


@dataclass(frozen=True)
class Result:
    source: str
    raw: Figures
    inside: Figures
    whole: Figures
    cpu: Cpu

    @property
    def ratio(self) -> float:
        return self.inside.mentions_per_second / self.raw.mentions_per_second


# the raw bound


class RawClient:
    """Sequential ``urllib`` requests to one stand-in, counting pages and what they hold."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.pages = 0
        self.mentions = 0

    def fetch(
        self, path: str, headers: Mapping[str, str] | None = None, data: bytes | None = None
    ) -> tuple[bytes, Message]:
        """The decoded body (gunzipped when so encoded) and headers; a POST with ``data``."""
        url = self.base + path  # always http://127.0.0.1:PORT, the stand-in
        request = urllib.request.Request(url, data=data, headers=dict(headers or {}))  # noqa: S310
        with urllib.request.urlopen(request) as response:  # noqa: S310
            body: bytes = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            self.pages += 1
            return body, response.headers

    def json(
        self, path: str, headers: Mapping[str, str] | None = None, data: bytes | None = None
    ) -> Any:
        return json.loads(self.fetch(path, headers, data)[0])


# the sample


def sample_posts(count: int) -> list[StandinPost]:
    """Synthetic mentions as stand-in posts (numeric ids, plain text), each with the query."""
    posts: list[StandinPost] = []
    for mention in generate_mentions(count, seed=7):
        text = mention.text if QUERY in mention.text.casefold() else f"Hoshi Mobile: {mention.text}"
        posts.append(
            StandinPost(
                native_id=str(50_000_000 + len(posts)),
                text=text,
                created_at=mention.published_at,
                author=mention.author.handle or "someone",
                author_name=mention.author.name,
                followers=mention.author.followers or 0,
                title=mention.title,
                lang=mention.lang,
                likes=mention.engagement.likes or 0,
                replies=mention.engagement.replies or 0,
                reposts=mention.engagement.reposts or 0,
            )
        )
    return posts


def as_html(post: StandinPost, extra: str = "") -> StandinPost:
    """The post's text as the HTML paragraph that sources with HTML bodies send."""
    return replace(post, text=f"<p>{escape(post.text)}{extra}</p>")


def titled(post: StandinPost) -> StandinPost:
    return post if post.title else replace(post, title=post.text[:80])


def chunks(posts: Sequence[StandinPost], size: int) -> list[list[StandinPost]]:
    return [list(posts[i : i + size]) for i in range(0, len(posts), size)]


# the sources


class Source:
    """One source type: its posts, its stand-in, its settings, and the raw fetch of the pages
    its spider asks for."""

    name: ClassVar[str]
    max_pages: ClassVar[int] = MAX_PAGES
    env: ClassVar[Mapping[str, str]] = {}  # the secrets named by {"$env": NAME} in settings

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        self.posts = [as_html(p) for p in posts]

    def standin(self) -> Handler:
        raise NotImplementedError

    def settings(self, base: str) -> dict[str, object]:
        return {"base_url": base, "queries": [QUERY]}

    def raw(self, client: RawClient) -> None:
        raise NotImplementedError


class HackerNews(Source):
    name = "hackernews"

    def standin(self) -> Handler:
        return HackerNewsStandin(self.posts)

    def raw(self, client: RawClient) -> None:
        page, pages = 0, 1
        while page < min(pages, self.max_pages):
            params = {
                "query": QUERY,
                "tags": "(story,comment)",
                "numericFilters": "created_at_i>0",
                "hitsPerPage": 50,
                "page": page,
            }
            body = client.json(f"/api/v1/search_by_date?{urlencode(params)}")
            client.mentions += len(body["hits"])
            page, pages = page + 1, body["nbPages"]


class Mastodon(Source):
    """The public hashtag timeline: every post carries #HoshiMobile, as a Mastodon link."""

    name = "mastodon"
    tag = "hoshimobile"
    link = '<a href="https://mastodon.example/tags/hoshimobile" class="mention hashtag" rel="tag">'

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        hashtag = f" {self.link}#<span>HoshiMobile</span></a>"
        self.posts = [
            as_html(replace(p, native_id=str(113_400_000_000_000_000 + i * 7_919)), hashtag)
            for i, p in enumerate(posts)
        ]

    def standin(self) -> Handler:
        return MastodonStandin(self.posts)

    def settings(self, base: str) -> dict[str, object]:
        return {**super().settings(base), "tags": [self.tag]}

    def raw(self, client: RawClient) -> None:
        params: dict[str, object] = {"limit": 40}
        for _ in range(self.max_pages):
            path = f"/api/v1/timelines/tag/{self.tag}?{urlencode(params)}"
            body, headers = client.fetch(path)
            statuses = json.loads(body)
            client.mentions += len(statuses)
            older = re.search(r'<([^>]*)>;\s*rel="next"', headers.get("Link") or "")
            if not statuses or older is None:
                break
            params = {"limit": 40, "max_id": parse_qs(urlsplit(older[1]).query)["max_id"][0]}


class Discourse(Source):
    """Search pages of 50 hits, then one ``/posts/{id}.json`` per hit."""

    name = "discourse"

    def standin(self) -> Handler:
        return DiscourseStandin(self.posts)

    def raw(self, client: RawClient) -> None:
        for page in range(1, self.max_pages + 1):
            params = urlencode({"q": f"{QUERY} order:latest", "page": page}, quote_via=quote)
            body = client.json(f"/search.json?{params}")
            for hit in body["posts"]:
                client.json(f"/posts/{hit['id']}.json")
                client.mentions += 1
            if not body["grouped_search_result"]["more_full_page_results"] or not body["posts"]:
                break


class News(Source):
    """One RSS feed (at most 100 items, no paging) per term and edition: the posts are spread
    over as many terms ("Hoshi Wire 007") as it takes, 100 per feed."""

    name = "news"
    per_feed = 100

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        feeds = chunks(posts, self.per_feed)
        editions = len(DEFAULT_EDITIONS)
        self.terms = [f"Hoshi Wire {t:03d}" for t in range(math.ceil(len(feeds) / editions))]
        self.posts = []
        for number, feed in enumerate(feeds):
            term, edition = self.terms[number // editions], DEFAULT_EDITIONS[number % editions]
            lang = edition.ceid.partition(":")[2]
            for post in feed:
                title = f"{titled(post).title} | {term}"
                self.posts.append(replace(post, title=title, lang=lang, author=_publisher(post)))

    def standin(self) -> Handler:
        return NewsStandin(self.posts)

    def settings(self, base: str) -> dict[str, object]:
        return {"base_url": base, "queries": self.terms}

    def raw(self, client: RawClient) -> None:
        for term in self.terms:
            for edition in DEFAULT_EDITIONS:
                params = {
                    "q": SearchTerm(term, brand="").with_exclusions(),
                    "hl": edition.hl,
                    "gl": edition.gl,
                    "ceid": edition.ceid,
                }
                body = client.fetch(f"/rss/search?{urlencode(params)}")[0]
                feed = ET.fromstring(body)  # noqa: S314 - the stand-in's own feed
                client.mentions += len(feed.findall("channel/item"))


def _publisher(post: StandinPost) -> str:
    publishers = ("Mobile World Live", "ITmedia Mobile", "Nikkei Asia", "ケータイWatch")
    return publishers[int(post.native_id) % len(publishers)]


class AppStore(Source):
    """Reviews of one app in as many countries as it takes: 500 each, the feed's 10 pages of 50
    (a second app once the countries run out)."""

    name = "appstore"
    max_pages = 10
    per_feed = 500
    countries = ("jp", "us", "gb", "au", "ca", "de", "fr", "kr", "tw", "sg", "hk", "th")

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        feeds = chunks(posts, self.per_feed)
        country_count = min(len(feeds), len(self.countries))
        self.country_codes = list(self.countries[:country_count])
        self.apps = [str(1_490_000_000 + a) for a in range(math.ceil(len(feeds) / country_count))]
        keys = [(c, a) for a in self.apps for c in self.country_codes]
        self.reviews = {
            key: [replace(p, likes=1 + int(p.native_id) % 5) for p in feed]  # the star rating
            for key, feed in zip(keys, feeds, strict=False)
        }

    def standin(self) -> Handler:
        return AppStoreStandin(self.reviews)

    def settings(self, base: str) -> dict[str, object]:
        return {"base_url": base, "app_ids": self.apps, "countries": self.country_codes}

    def raw(self, client: RawClient) -> None:
        for app in self.apps:
            for country in self.country_codes:
                page, last = 1, self.max_pages
                while page <= last:
                    path = f"/{country}/rss/customerreviews/page={page}/id={app}"
                    feed = client.json(f"{path}/sortby=mostrecent/json")["feed"]
                    entries = feed.get("entry", [])
                    entries = [entries] if isinstance(entries, dict) else entries
                    client.mentions += len(entries)
                    if not entries:
                        break
                    page, last = page + 1, min(self.max_pages, _last_page(feed))


def _last_page(feed: dict[str, Any]) -> int:
    for link in feed["link"]:
        attributes = link["attributes"]
        if attributes["rel"] == "last":
            return int(re.findall(r"/page=(\d+)/", attributes["href"])[0])
    return AppStore.max_pages


class StackExchange(Source):
    """Questions on one site, 100 a page, gzip-compressed; with a key (a quota of 10,000)."""

    name = "stackexchange"
    key = "kikimimi-bench-key"
    env: ClassVar[Mapping[str, str]] = {"STACKEXCHANGE_KEY": key}

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        self.posts = [as_html(titled(p)) for p in posts]

    def standin(self) -> Handler:
        return StackExchangeStandin(self.posts, site="stackoverflow", key=self.key)

    def settings(self, base: str) -> dict[str, object]:
        key = {"$env": "STACKEXCHANGE_KEY"}
        return {**super().settings(base), "site": "stackoverflow", "key": key}

    def raw(self, client: RawClient) -> None:
        for page in range(1, self.max_pages + 1):
            params = {
                "q": QUERY,
                "site": "stackoverflow",
                "sort": "creation",
                "order": "desc",
                "pagesize": 100,
                "page": page,
                "filter": "withbody",
                "key": self.key,
            }
            body = client.json(f"/2.3/search/advanced?{urlencode(params)}")
            client.mentions += len(body["items"])
            if not body["has_more"] or body["quota_remaining"] == 0:
                break


class Reddit(Source):
    """An application-only OAuth token, then search pages of 100 by ``after``."""

    name = "reddit"
    client_id = "kkBenchRedditId"
    client_secret = "kkBenchRedditSecret"  # noqa: S105 - the stand-in's own made-up credential
    env: ClassVar[Mapping[str, str]] = {
        "REDDIT_CLIENT_ID": client_id,
        "REDDIT_CLIENT_SECRET": client_secret,
    }

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        self.posts = list(posts)  # plain: the stand-in renders selftext_html from it

    def standin(self) -> Handler:
        # A rate limit no run reaches: the bound does not pause for it, nor should the crawl.
        return RedditStandin(self.posts, self.client_id, self.client_secret, ratelimit=10**9)

    def settings(self, base: str) -> dict[str, object]:
        return {
            **super().settings(base),
            "token_url": f"{base}/api/v1/access_token",
            "client_id": {"$env": "REDDIT_CLIENT_ID"},
            "client_secret": {"$env": "REDDIT_CLIENT_SECRET"},
        }

    def raw(self, client: RawClient) -> None:
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        token = client.json(
            "/api/v1/access_token",
            {
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            urlencode({"grant_type": "client_credentials"}).encode(),
        )["access_token"]
        after = None
        for _ in range(self.max_pages):
            params: dict[str, object] = {
                "q": QUERY,
                "sort": "new",
                "limit": 100,
                "type": "link",
                "raw_json": 1,
            }
            if after:
                params["after"] = after
            path = f"/search?{urlencode(params)}"
            data = client.json(path, {"Authorization": f"bearer {token}"})["data"]
            client.mentions += len(data["children"])
            after = data["after"]
            if not after:
                break


class YouTube(Source):
    """Comment threads of videos with 500 comments each, 100 a page, the key in a header."""

    name = "youtube"
    api_key = "kkBenchYouTubeKey"
    env: ClassVar[Mapping[str, str]] = {"YOUTUBE_API_KEY": api_key}
    per_video = 500

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        super().__init__(posts)
        videos = chunks(self.posts, self.per_video)
        self.videos = {f"hoshiVid{n:03d}": comments for n, comments in enumerate(videos)}

    def standin(self) -> Handler:
        return YouTubeStandin(self.videos, self.api_key)

    def settings(self, base: str) -> dict[str, object]:
        api_key = {"$env": "YOUTUBE_API_KEY"}
        return {**super().settings(base), "api_key": api_key, "video_ids": list(self.videos)}

    def raw(self, client: RawClient) -> None:
        for video in self.videos:
            token = ""
            for _ in range(self.max_pages):
                params = {
                    "part": "snippet",
                    "videoId": video,
                    "order": "time",
                    "maxResults": 100,
                    "textFormat": "html",
                    "searchTerms": QUERY,
                }
                if token:
                    params["pageToken"] = token
                path = f"/commentThreads?{urlencode(params)}"
                body = client.json(path, {"X-Goog-Api-Key": self.api_key})
                client.mentions += len(body["items"])
                token = body.get("nextPageToken", "")
                if not token:
                    break


class BlueskySearch(Source):
    """createSession with an app password, then searchPosts pages of 100 by ``cursor``."""

    name = "bluesky_search"
    identifier = "kikimimi-bench.bsky.social"
    app_password = "kkbn-ch7x-q2rt-m9zw"  # noqa: S105 - the stand-in's own made-up credential
    env: ClassVar[Mapping[str, str]] = {"BSKY_APP_PASSWORD": app_password}

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        self.posts = [replace(p, native_id=f"3l{int(p.native_id):011x}") for p in posts]

    def standin(self) -> Handler:
        return BlueskySearchStandin(self.posts, self.identifier, self.app_password)

    def settings(self, base: str) -> dict[str, object]:
        password = {"$env": "BSKY_APP_PASSWORD"}
        return {**super().settings(base), "identifier": self.identifier, "app_password": password}

    def raw(self, client: RawClient) -> None:
        login = {"identifier": self.identifier, "password": self.app_password}
        session = client.json(
            "/xrpc/com.atproto.server.createSession",
            {"Content-Type": "application/json"},
            json.dumps(login).encode(),
        )
        headers = {"Authorization": f"Bearer {session['accessJwt']}"}
        cursor = ""
        for _ in range(self.max_pages):
            params: dict[str, object] = {"q": QUERY, "sort": "latest", "limit": 100}
            if cursor:
                params["cursor"] = cursor
            body = client.json(f"/xrpc/app.bsky.feed.searchPosts?{urlencode(params)}", headers)
            client.mentions += len(body["posts"])
            cursor = body.get("cursor", "")
            if not cursor or not body["posts"]:
                break


SOURCES: dict[str, type[Source]] = {
    source.name: source
    for source in (
        HackerNews,
        Mastodon,
        Discourse,
        News,
        AppStore,
        StackExchange,
        Reddit,
        YouTube,
        BlueskySearch,
    )
}


# serving


class Replay:
    """The stand-in, its GET answers kept after the first time and served from memory: the
    stand-ins filter and render every post again for each request, O(posts) a page, which is
    not what is measured. POSTs (the authentication calls) are always answered live; pages
    from memory skip the stand-in's own checks of tokens and keys."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.replies: dict[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], Reply] = {}

    def __call__(self, request: Request) -> Reply:
        if request.method != "GET":
            return self.handler(request)
        query = tuple(sorted((name, tuple(values)) for name, values in request.query.items()))
        reply = self.replies.get((request.path, query))
        if reply is None:
            reply = self.handler(request)
            if reply.status == 200:
                self.replies[request.path, query] = reply
        return reply


class TimedHandler:
    """A handler, adding up the CPU time its answers take."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seconds = 0.0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        start = time.thread_time()
        try:
            return self.handler(request)
        finally:
            with self._lock:
                self.seconds += time.thread_time() - start

    def take(self) -> float:
        with self._lock:
            seconds, self.seconds = self.seconds, 0.0
        return seconds


@contextmanager
def standins_memoized() -> Iterator[None]:
    """The stand-ins convert every post's HTML again for each request, O(posts) HTML parses a
    page; here they share one cache, so that the warm-up stays short. Their answers are the
    same."""
    texts: dict[str, str] = {}

    def cached(markup: str | None) -> str:
        if not markup:
            return html_to_text(markup)
        text = texts.get(markup)
        if text is None:
            text = texts[markup] = html_to_text(markup)
        return text

    standins = (
        HackerNewsStandin,
        MastodonStandin,
        DiscourseStandin,
        NewsStandin,
        RedditStandin,
        YouTubeStandin,
        BlueskySearchStandin,
    )
    with ExitStack() as stack:
        for standin in standins:
            module = sys.modules[standin.__module__]
            stack.enter_context(mock.patch.object(module, "html_to_text", cached))
        yield


# running


def raw(source: Source, base: str) -> tuple[Figures, float]:
    """The raw bound's figures and its CPU time (this thread: the stand-in's are apart)."""
    client = RawClient(base)
    start, cpu = time.perf_counter(), time.thread_time()
    source.raw(client)
    seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
    return Figures(client.pages, client.mentions, seconds), cpu


def crawl(root: Path, source: Source, base: str) -> tuple[Figures, Figures, float]:
    """Run ``kikimimi crawl`` once; (in-process figures, whole-process figures, CPU time)."""
    config = root / "kikimimi.yaml"
    settings = {
        "name": source.name,
        "type": source.name,
        **source.settings(base),
        "requests_per_second": 1000,
        "max_pages": source.max_pages,
    }
    document = {
        "state_dir": "var",
        "brands": [{"name": "Hoshi Mobile"}],
        "crawl": {"autothrottle": False},
        "sources": [settings],
    }
    config.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.run(
        [sys.executable, "-m", "kikimimi", "--config", str(config), "crawl", source.name],
        capture_output=True,
        text=True,
        env={**os.environ, **source.env},
        check=False,
    )
    whole, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if process.returncode != 0:
        sys.exit(f"{source.name}: kikimimi crawl failed ({process.returncode}):\n{process.stderr}")
    state = SqliteCrawlState(root / "var" / "crawl" / "state.sqlite")
    run = state.runs(source.name, limit=1)[0]
    state.close()
    inside = Figures(run.pages, run.mentions, run.finished_at - run.started_at)
    return inside, Figures(run.pages, run.mentions, whole), cpu


def bench(source: Source, count: int) -> Result:
    handler = TimedHandler(Replay(source.standin()))
    with StandinServer(handler) as server, tempfile.TemporaryDirectory() as tmp:
        raw(source, server.url)  # the warm-up: every page is rendered once
        handler.take()
        passes = [raw(source, server.url) for _ in range(RAW_PASSES)]
        raw_figures, raw_cpu = min(passes, key=lambda figures_cpu: figures_cpu[0].seconds)
        inside, whole, crawl_cpu = crawl(Path(tmp), source, server.url)
        cpu = Cpu(raw_cpu, crawl_cpu, handler.take())
    result = Result(source.name, raw_figures, inside, whole, cpu)
    print(f"== {source.name}")
    print(raw_figures.line("raw urllib (fastest)"))
    print(inside.line("crawl (in process)"))
    print(whole.line("crawl (whole process)"))
    print(cpu.line())
    if not raw_figures.mentions == inside.mentions == count or raw_figures.pages != inside.pages:
        print(
            f"note: expected {count} mentions; raw {raw_figures.pages} pages"
            f" {raw_figures.mentions} mentions, crawl {inside.pages} pages {inside.mentions}"
        )
    print(f"ratio crawl/raw ({source.name}): {result.ratio:.2f}")
    return result


def table(results: Sequence[Result]) -> None:
    print()
    print(
        f"{'source':<15} {'pages':>6} {'raw p/s':>8} {'crawl p/s':>9} {'raw m/s':>8}"
        f" {'crawl m/s':>9} {'whole m/s':>9} {'ratio':>6}"
    )
    for r in results:
        print(
            f"{r.source:<15} {r.raw.pages:>6} {r.raw.pages_per_second:>8.1f}"
            f" {r.inside.pages_per_second:>9.1f} {r.raw.mentions_per_second:>8.1f}"
            f" {r.inside.mentions_per_second:>9.1f} {r.whole.mentions_per_second:>9.1f}"
            f" {r.ratio:>6.2f}"
        )


def source_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SOURCES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown source {', '.join(unknown)}; choose from {', '.join(SOURCES)}"
        )
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="posts per source")
    parser.add_argument(
        "--sources",
        type=source_names,
        default=list(SOURCES),
        help=f"comma-separated subset of: {','.join(SOURCES)} (default: all)",
    )
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    posts = sample_posts(args.count)
    with standins_memoized():
        results = [bench(SOURCES[name](posts), args.count) for name in args.sources]
    table(results)
    median = statistics.median(r.ratio for r in results)
    print(f"ratio crawl/raw (median over sources): {median:.2f}")


if __name__ == "__main__":
    main()
