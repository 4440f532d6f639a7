"""A small threaded HTTP server with fault injection, the base of every stand-in."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from standins.background import BackgroundService

__all__ = [
    "Fault",
    "Reply",
    "Request",
    "StandinPost",
    "StandinServer",
    "json_reply",
    "malformed_json",
    "server_error",
    "too_many_requests",
]


@dataclass(frozen=True)
class StandinPost:
    """A sample post, rendered by each stand-in in its source's format."""

    native_id: str
    text: str
    created_at: datetime
    author: str = "someone"
    author_name: str | None = None
    followers: int = 0
    title: str | None = None
    lang: str | None = None
    likes: int = 0
    replies: int = 0
    reposts: int = 0
    deleted: bool = False
    parent_id: str | None = None

    @property
    def unix(self) -> int:
        return int(self.created_at.timestamp())

    def iso(self) -> str:
        return self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(frozen=True)
class Request:
    """A request as the stand-in saw it."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(frozen=True)
class Reply:
    """What to answer."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fault:
    """A reply to give instead of the real one, to the next request whose path starts so."""

    path_prefix: str
    reply: Reply


Handler = Callable[[Request], Reply]


class StandinServer(BackgroundService):
    """Serves ``handler`` on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go in two writes

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read ``server.requests`` instead."""

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = server.answer(request)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def inject(self, path_prefix: str, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` requests under ``path_prefix`` with ``reply``."""
        with self._lock:
            self._faults.extend(Fault(path_prefix, reply) for _ in range(times))

    def answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            for fault in self._faults:
                if request.path.startswith(fault.path_prefix):
                    self._faults.remove(fault)
                    return fault.reply
        return self.handler(request)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def json_reply(status: int, data: Any, headers: Mapping[str, str] | None = None) -> Reply:
    """``data`` as a JSON answer (UTF-8, non-ASCII kept as is)."""
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, headers=headers or {})


def too_many_requests(retry_after: str = "1") -> Reply:
    """A 429 with Retry-After, as rate-limited APIs answer."""
    return Reply(429, b'{"error": "rate limited"}', headers={"Retry-After": retry_after})


def server_error() -> Reply:
    return Reply(503, b"<html><body>Service Unavailable</body></html>", "text/html")


def malformed_json() -> Reply:
    return Reply(200, b'{"hits": [{"objectID": "1", "title": ', "application/json")
