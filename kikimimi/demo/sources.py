"""Local stand-ins of seven sources serving the demo stream, and a webhook sink.

Hacker News, Mastodon (full-text search with a token), Discourse, Google News, the App
Store, Stack Exchange answer over HTTP in their real formats; the Bluesky posts arrive
live over a local Jetstream WebSocket, a few per second, once a consumer is connected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from standins import (
    AppStoreStandin,
    DiscourseStandin,
    HackerNewsStandin,
    JetstreamStandin,
    MastodonStandin,
    NewsStandin,
    StackExchangeStandin,
    StandinPost,
    StandinServer,
    WebhookSink,
    post_event,
)

__all__ = ["APP_ID", "MASTODON_TOKEN", "WEBHOOK_SECRET", "DemoSources"]

APP_ID = "1451234567"
MASTODON_TOKEN = "demo-mastodon-token"  # the stand-in's, not a real secret
WEBHOOK_SECRET = "demo-webhook-signing-secret"
STREAM_POSTS_PER_SECOND = 4


@dataclass
class DemoSources:
    """Starts every stand-in on 127.0.0.1; ``urls`` by source type once entered."""

    posts: dict[str, list[StandinPost]]
    urls: dict[str, str] = field(default_factory=dict)
    sink: WebhookSink = field(default_factory=lambda: WebhookSink(WEBHOOK_SECRET))
    jetstream: JetstreamStandin = field(default_factory=JetstreamStandin)
    streamed: threading.Event = field(default_factory=threading.Event)
    _stack: ExitStack = field(default_factory=ExitStack)

    def __enter__(self) -> Self:
        handlers: dict[str, Any] = {
            "hackernews": HackerNewsStandin(self._of("hackernews")),
            "mastodon": MastodonStandin(self._of("mastodon"), token=MASTODON_TOKEN),
            "discourse": DiscourseStandin(self._of("discourse")),
            "news": NewsStandin(self._of("news")),
            "appstore": AppStoreStandin(self._reviews()),
            "stackexchange": StackExchangeStandin(self._of("stackexchange")),
            "webhook": self.sink,
        }
        for name, handler in handlers.items():
            server = self._stack.enter_context(StandinServer(handler))
            self.urls[name] = server.url
        self.jetstream.start()
        self._stack.callback(self.jetstream.stop)
        self.urls["bluesky"] = self.jetstream.url
        threading.Thread(target=self._stream, name="demo-stream", daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def _of(self, source: str) -> Sequence[StandinPost]:
        return self.posts.get(source, [])

    def _reviews(self) -> dict[tuple[str, str], list[StandinPost]]:
        reviews: dict[tuple[str, str], list[StandinPost]] = {}
        for post in self._of("appstore"):
            country = "jp" if post.lang == "ja" else "us"
            reviews.setdefault((country, APP_ID), []).append(post)
        return reviews

    def _stream(self) -> None:
        """Publish the Bluesky posts live, oldest first, once the consumer listens."""
        self.jetstream.wait_for_connections(1, timeout=600)
        for post in sorted(self._of("bluesky"), key=lambda p: p.created_at):
            time_us = int(time.time() * 1_000_000)
            self.jetstream.publish(post_event(post, time_us))
            time.sleep(1 / STREAM_POSTS_PER_SECOND)
        self.streamed.set()
