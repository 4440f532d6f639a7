"""Bluesky posts from the Jetstream firehose, matched against the brand terms locally.

``{jetstream_url}?wantedCollections=app.bsky.feed.post&cursor=TIME_US`` (WebSocket, no auth)
streams one JSON event per text frame: ``kind`` ``commit`` (``commit.operation`` create /
update / delete of a record), ``identity`` or ``account`` (ignored). A session reads for
``session_seconds``; a dropped connection is resumed (with backoff, at most
``max_reconnects`` times) from the last ``time_us`` minus a safety margin, and replayed
posts that were already collected are skipped. The cursor ``firehose`` is the last
``time_us`` processed: the next session replays from there, so nothing between sessions is
lost. Deletes of posts we collected become mentions with ``deleted`` set and empty text.

Mentions are held until the session ends, so that a post created and deleted in one
session is queued once, as deleted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from config import BlueskySource
from core import Author, Mention, mention_id
from crawlers.convert import parse_time
from crawlers.direct import CrawlContext, CrawlOutcome
from crawlers.matching import TermMatcher
from crawlers.queries import SearchTerm

__all__ = ["CURSOR_KEY", "REPLAY_MARGIN_US", "consume_jetstream", "tid_time"]

logger = logging.getLogger(__name__)

POST = "app.bsky.feed.post"
CURSOR_KEY = "firehose"
REPLAY_MARGIN_US = 5_000_000
MAX_BACKOFF_SECONDS = 30.0
OPEN_TIMEOUT_SECONDS = 15.0
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def consume_jetstream(context: CrawlContext) -> CrawlOutcome:
    """Read the firehose for one session and offer the matching posts to the sink."""
    if not isinstance(context.source, BlueskySource):
        return CrawlOutcome(error=f"{context.source.name}: not a Bluesky Jetstream source")
    return asyncio.run(_Session(context, context.source).run())


def tid_time(rkey: str) -> datetime | None:
    """The creation time a record key in TID form encodes (None if it is not a TID)."""
    if len(rkey) != 13 or any(c not in _TID_ALPHABET for c in rkey) or rkey[0] > "j":
        return None
    value = 0
    for char in rkey:
        value = value * 32 + _TID_ALPHABET.index(char)
    return datetime.fromtimestamp((value >> 10) / 1_000_000, tz=UTC)


class _MalformedError(ValueError):
    """A frame that is not a Jetstream event."""


class _Session:
    def __init__(self, context: CrawlContext, source: BlueskySource) -> None:
        self.context = context
        self.source = source
        handles = [] if source.queries else [(h, b.name) for b in context.brands for h in b.handles]
        self.matcher = TermMatcher(context.terms, [SearchTerm(h, brand) for h, brand in handles])
        self.outcome = CrawlOutcome()
        self.collected: dict[str, Mention] = {}
        saved = context.cursors.get(CURSOR_KEY)
        self.last_time_us: int | None = int(saved) if saved and saved.isdigit() else None
        self.replayed_until = self.last_time_us  # events up to here may be known already
        self.started_us = time.time_ns() // 1000

    # the connection

    async def run(self) -> CrawlOutcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.source.session_seconds
        failures = 0
        while (remaining := deadline - loop.time()) > 0:
            url = self.url()
            try:
                async with connect(
                    url,
                    open_timeout=min(remaining, OPEN_TIMEOUT_SECONDS),
                    close_timeout=2,
                    user_agent_header=self.context.settings.crawl.user_agent,
                ) as websocket:
                    logger.info("%s: reading %s", self.source.name, url)
                    await self.read(websocket, deadline)
                break
            except (WebSocketException, OSError, TimeoutError) as exc:
                if loop.time() >= deadline:
                    break
                if failures >= self.source.max_reconnects:
                    self.outcome.error = (
                        f"Jetstream connection lost after {failures} reconnect(s): "
                        f"{type(exc).__name__}: {exc}"
                    )
                    logger.error("%s: %s", self.source.name, self.outcome.error)
                    break
                failures += 1
                self.replayed_until = self.last_time_us
                delay = self.context.settings.crawl.backoff_seconds * 2 ** (failures - 1)
                delay = min(delay, MAX_BACKOFF_SECONDS, max(deadline - loop.time(), 0))
                logger.warning(
                    "%s: connection lost (%s: %s); reconnect %d of %d in %.1f s",
                    self.source.name,
                    type(exc).__name__,
                    exc,
                    failures,
                    self.source.max_reconnects,
                    delay,
                )
                await asyncio.sleep(delay)
        self.finish()
        return self.outcome

    def url(self) -> str:
        parts = urlsplit(str(self.source.jetstream_url))
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in {"cursor"}]
        if ("wantedCollections", POST) not in query:
            query.append(("wantedCollections", POST))
        if self.last_time_us is not None:
            query.append(("cursor", str(max(self.last_time_us - REPLAY_MARGIN_US, 0))))
        return urlunsplit(parts._replace(query=urlencode(query)))

    async def read(self, websocket: ClientConnection, deadline: float) -> None:
        """Handle frames until the session's time is up (a dropped connection raises)."""
        loop = asyncio.get_running_loop()
        while (remaining := deadline - loop.time()) > 0:
            try:
                frame = await asyncio.wait_for(websocket.recv(), remaining)
            except TimeoutError:
                return
            self.outcome.pages += 1
            try:
                self.handle(frame)
            except (_MalformedError, ValidationError) as exc:
                self.outcome.malformed += 1
                logger.warning(
                    "%s: skipped malformed frame (%s): %.200r", self.source.name, exc, frame
                )

    def finish(self) -> None:
        """Offer what the session collected; the cursor is the last event handled."""
        for mention in self.collected.values():
            self.context.sink.offer(mention)
        position = self.last_time_us if self.last_time_us is not None else self.started_us
        self.outcome.next_cursors = {CURSOR_KEY: str(position)}

    # events

    def handle(self, frame: str | bytes) -> None:
        try:
            event = json.loads(frame)
        except ValueError as exc:  # UnicodeDecodeError included
            raise _MalformedError("not JSON") from exc
        if not isinstance(event, dict):
            raise _MalformedError("not an object")
        time_us, did = event.get("time_us"), event.get("did")
        if not isinstance(time_us, int) or isinstance(time_us, bool) or not isinstance(did, str):
            raise _MalformedError("no time_us or did")
        replayed = self.replayed_until is not None and time_us <= self.replayed_until
        self.last_time_us = max(time_us, self.last_time_us or 0)
        if event.get("kind") != "commit":
            return
        commit = event.get("commit")
        if not isinstance(commit, dict):
            raise _MalformedError("commit event without commit")
        if commit.get("collection") != POST:
            return
        rkey, operation = commit.get("rkey"), commit.get("operation")
        if not isinstance(rkey, str) or not rkey:
            raise _MalformedError("commit without rkey")
        if operation in {"create", "update"}:
            self.on_post(did, rkey, commit.get("record"), time_us, replayed)
        elif operation == "delete":
            self.on_delete(did, rkey, time_us)
        else:
            raise _MalformedError(f"unknown operation {operation!r}")

    def on_post(self, did: str, rkey: str, record: Any, time_us: int, replayed: bool) -> None:
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise _MalformedError("post without a record text")
        uri = f"at://{did}/{POST}/{rkey}"
        key = mention_id(self.source.name, uri)
        earlier = self.collected.get(key)
        if (replayed and self.known(key)) or (earlier is not None and earlier.deleted):
            return
        term = self.matcher.match(record["text"])
        if term is None:
            return
        self.collected[key] = self.post(did, rkey, record, time_us, term)

    def on_delete(self, did: str, rkey: str, time_us: int) -> None:
        uri = f"at://{did}/{POST}/{rkey}"
        key = mention_id(self.source.name, uri)
        earlier = self.collected.get(key)
        if earlier is None and not self.context.sink.state.has_seen(key):
            return
        self.collected[key] = Mention(
            source=self.source.name,
            native_id=uri,
            url=_web_url(did, rkey),
            text="",
            author=Author(id=did),
            published_at=(earlier.published_at if earlier else tid_time(rkey) or _from_us(time_us)),
            collected_at=datetime.now(UTC),
            query=earlier.query if earlier else None,
            deleted=True,
        )

    def known(self, key: str) -> bool:
        return key in self.collected or self.context.sink.state.has_seen(key)

    def post(
        self, did: str, rkey: str, record: dict[str, Any], time_us: int, term: SearchTerm
    ) -> Mention:
        uri = f"at://{did}/{POST}/{rkey}"
        reply = record.get("reply")
        return Mention(
            source=self.source.name,
            native_id=uri,
            url=_web_url(did, rkey),
            text=record["text"],
            lang=_first_lang(record.get("langs")),
            author=Author(id=did),
            published_at=_created_at(record.get("createdAt")) or _from_us(time_us),
            collected_at=datetime.now(UTC),
            reply_to=_uri(reply, "parent"),
            thread_id=_uri(reply, "root") or uri,
            query=term.phrase,
        )


def _web_url(did: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def _from_us(time_us: int) -> datetime:
    return datetime.fromtimestamp(time_us / 1_000_000, tz=UTC)


def _created_at(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


def _first_lang(langs: Any) -> str | None:
    first = langs[0] if isinstance(langs, list) and langs else None
    return first if isinstance(first, str) and first else None


def _uri(reply: Any, which: str) -> str | None:
    ref = reply.get(which) if isinstance(reply, dict) else None
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) else None
