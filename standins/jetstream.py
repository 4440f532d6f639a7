"""Stand-in of Bluesky's Jetstream: ``GET /subscribe`` upgraded to a WebSocket.

Speaks Jetstream's JSON events, one per text frame: ``{"did", "time_us", "kind": "commit",
"commit": {"rev", "operation", "collection", "rkey", "record", "cid"}}`` (no ``record`` or
``cid`` on deletes), ``kind`` ``identity`` and ``account``. ``cursor`` (Unix microseconds)
replays every event from that time on, then tails live; without it only events published
after the connection opened are sent. ``wantedCollections`` filters commits (identity and
account events always pass). A bad ``cursor`` or another path is refused with 400 / 404.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from standins.background import BackgroundService
from standins.server import StandinPost

__all__ = [
    "JetstreamStandin",
    "account_event",
    "delete_event",
    "did_of",
    "identity_event",
    "post_event",
    "tid",
]

POST = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_POLL_SECONDS = 0.02


def tid(when: datetime, clock_id: int = 0) -> str:
    """A record key in TID form: microseconds since the epoch and a clock id, base32-sortable."""
    value = (int(when.timestamp() * 1_000_000) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def did_of(handle: str) -> str:
    """A stable ``did:plc:`` identifier for a sample author (24 base32 characters)."""
    digest = hashlib.sha256(handle.encode()).digest()
    return "did:plc:" + "".join(_TID_ALPHABET[b % 32] for b in digest[:24])


def post_event(post: StandinPost, time_us: int, operation: str = "create") -> dict[str, Any]:
    """A commit creating (or updating) ``post``: rkey = ``native_id``, did from ``author``."""
    did = post.author if post.author.startswith("did:") else did_of(post.author)
    record: dict[str, Any] = {
        "$type": POST,
        "text": post.text,
        "createdAt": post.iso(),
        "langs": [post.lang] if post.lang else [],
    }
    if post.parent_id:
        parent = {"uri": post.parent_id, "cid": _cid(post.parent_id)}
        record["reply"] = {"root": parent, "parent": parent}
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": tid(post.created_at, 1),
            "operation": operation,
            "collection": POST,
            "rkey": post.native_id,
            "record": record,
            "cid": _cid(f"{did}/{post.native_id}/{post.text}"),
        },
    }


def delete_event(did: str, rkey: str, time_us: int, collection: str = POST) -> dict[str, Any]:
    """A commit deleting a record: no record and no cid, as Jetstream sends it."""
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": _rev(time_us),
            "operation": "delete",
            "collection": collection,
            "rkey": rkey,
        },
    }


def identity_event(did: str, handle: str, time_us: int) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "identity",
        "identity": {"did": did, "handle": handle, "seq": time_us % 10**9, "time": _iso(time_us)},
    }


def account_event(did: str, time_us: int, active: bool = True) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "account",
        "account": {"active": active, "did": did, "seq": time_us % 10**9, "time": _iso(time_us)},
    }


def _cid(seed: str) -> str:
    return "bafyrei" + hashlib.sha256(seed.encode()).hexdigest()[:52]


def _rev(time_us: int) -> str:
    return tid(datetime.fromtimestamp(time_us / 1_000_000, tz=UTC), 7)


def _iso(time_us: int) -> str:
    moment = datetime.fromtimestamp(time_us / 1_000_000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Frame:
    time_us: int
    text: str
    collection: str | None


@dataclass(frozen=True)
class _Drop:
    after: int
    abrupt: bool


class JetstreamStandin(BackgroundService):
    """A Jetstream on 127.0.0.1 (a free port) in a background thread, fed with ``publish``."""

    def __init__(self) -> None:
        self.connections: list[Mapping[str, list[str]]] = []
        self.sent = 0
        self._frames: list[_Frame] = []
        self._drops: deque[_Drop] = deque()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/subscribe"

    def publish(self, *events: Mapping[str, Any]) -> None:
        """Add events to the stream (in ``time_us`` order), for replay and live tails."""
        for event in events:
            commit = event.get("commit")
            collection = commit.get("collection") if isinstance(commit, Mapping) else None
            text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            self._append(_Frame(int(event["time_us"]), text, collection))

    def publish_raw(self, time_us: int, text: str) -> None:
        """Add a frame as given (e.g. not JSON), placed at ``time_us`` in the stream."""
        self._append(_Frame(time_us, text, None))

    def drop_after(self, frames: int, abrupt: bool = False) -> None:
        """Cut the next connection after sending ``frames`` frames: a close with code 1011,
        or (``abrupt``) the TCP connection torn down without a close frame."""
        with self._lock:
            self._drops.append(_Drop(frames, abrupt))

    def wait_for_connections(self, count: int, timeout: float = 30.0) -> bool:
        """Wait until ``count`` clients have connected."""
        deadline = time.monotonic() + timeout
        while len(self.connections) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(_POLL_SECONDS)
        return True

    def _append(self, frame: _Frame) -> None:
        with self._lock:
            self._frames.append(frame)

    # the server

    def start(self) -> Self:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server: Server
        async with serve(self._stream, "127.0.0.1", 0, process_request=self._check) as server:
            self._port = int(next(iter(server.sockets)).getsockname()[1])
            self._ready.set()
            await self._stop.wait()

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        if parts.path != "/subscribe":
            return _refuse(HTTPStatus.NOT_FOUND, "Not Found")
        cursor = parse_qs(parts.query).get("cursor", [""])[0]
        if cursor and not cursor.isdigit():
            return _refuse(HTTPStatus.BAD_REQUEST, "invalid cursor")
        return None

    async def _stream(self, websocket: ServerConnection) -> None:
        query = parse_qs(urlsplit(websocket.request.path if websocket.request else "").query)
        wanted = set(query.get("wantedCollections", []))
        cursor = query.get("cursor", [""])[0]
        with self._lock:
            self.connections.append(query)
            drop = self._drops.popleft() if self._drops else None
            position = (
                next((i for i, f in enumerate(self._frames) if f.time_us >= int(cursor)), 0)
                if cursor and self._frames and self._frames[-1].time_us >= int(cursor)
                else len(self._frames)
            )
        sent = 0
        try:
            while True:
                with self._lock:
                    batch = self._frames[position:]
                position += len(batch)
                for frame in batch:
                    if wanted and frame.collection is not None and frame.collection not in wanted:
                        continue
                    await websocket.send(frame.text)
                    sent += 1
                    self.sent += 1
                    if drop is not None and sent >= drop.after:
                        if drop.abrupt:
                            websocket.transport.abort()
                        else:
                            await websocket.close(1011, "stand-in dropped the connection")
                        return
                with contextlib.suppress(TimeoutError):  # a message, or the client leaving
                    await asyncio.wait_for(websocket.recv(), _POLL_SECONDS)
        except ConnectionClosed:
            return


def _refuse(status: HTTPStatus, message: str) -> Response:
    body = json.dumps({"error": message}).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return Response(status.value, status.phrase, headers, body)
