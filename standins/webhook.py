"""Stand-in of the receiving end of the generic webhook channel.

:class:`WebhookSink` is a request handler for :class:`standins.server.StandinServer`
(``with StandinServer(WebhookSink(secret)) as server: ...``). It checks what a careful
receiver checks: ``X-Kikimimi-Signature`` (HMAC-SHA256 of the body) and the timestamp, the
body as a Notice, and that ``X-Kikimimi-Delivery`` (percent-decoded) and ``X-Kikimimi-Event``
match it; it records each notice once per delivery key. It can fail with 503 for N requests
or until switched back, or hold requests until released.
"""

from __future__ import annotations

import hmac
import threading
import time
from urllib.parse import unquote

from core import Notice, RecordError, parse_record
from standins.channel_faults import ChannelFaults
from standins.server import Reply, Request, json_reply

__all__ = ["WebhookSink"]


class WebhookSink:
    """The receiving end of the generic webhook channel."""

    def __init__(
        self,
        secret: str | None = None,
        *,
        path: str = "/hooks/kikimimi",
        max_skew_seconds: float = 300.0,
    ) -> None:
        self.secret = secret
        self.path = path
        self.max_skew_seconds = max_skew_seconds
        self.deliveries: dict[str, Notice] = {}  # first accepted notice per key
        self.accepted: list[str] = []  # the key of every accepted request, repeats included
        self.rejected: list[tuple[int, str]] = []  # (status, why) of refused requests
        self.faults = ChannelFaults()
        self._lock = threading.Lock()

    def fail(self, times: int, retry_after: int | None = None) -> None:
        """Answer the next ``times`` requests with 503."""
        self.faults.fail(times, _unavailable(retry_after))

    def go_down(self, retry_after: int | None = None) -> None:
        """Answer 503 until :meth:`come_back`."""
        self.faults.go_down(_unavailable(retry_after))

    def come_back(self) -> None:
        self.faults.come_back()

    @property
    def duplicates(self) -> int:
        """Accepted requests that repeated a key already delivered."""
        with self._lock:
            return len(self.accepted) - len(self.deliveries)

    def __call__(self, request: Request) -> Reply:
        if request.path != self.path:
            return self._reject(404, "no such hook")
        if request.method != "POST":
            return self._reject(405, "POST only")
        fault = self.faults.take()
        if fault is not None:
            return fault
        if not request.headers.get("content-type", "").startswith("application/json"):
            return self._reject(415, "Content-Type must be application/json")
        problem = self._signature_problem(request)
        if problem:
            return self._reject(401, problem)
        try:
            notice = parse_record(Notice, request.body)
        except RecordError as error:
            return self._reject(400, str(error))
        delivery = request.headers.get("x-kikimimi-delivery")
        if delivery is None or unquote(delivery) != notice.key:
            return self._reject(400, "X-Kikimimi-Delivery does not match the notice key")
        if request.headers.get("x-kikimimi-event") != notice.kind:
            return self._reject(400, "X-Kikimimi-Event does not match the notice kind")
        with self._lock:
            duplicate = notice.key in self.deliveries
            self.deliveries.setdefault(notice.key, notice)
            self.accepted.append(notice.key)
        return json_reply(200, {"ok": True, "duplicate": duplicate})

    def _signature_problem(self, request: Request) -> str | None:
        if self.secret is None:
            return None
        signature = request.headers.get("x-kikimimi-signature", "")
        expected = "sha256=" + hmac.new(self.secret.encode(), request.body, "sha256").hexdigest()
        if not hmac.compare_digest(signature, expected):
            return "bad or missing X-Kikimimi-Signature"
        try:
            skew = abs(time.time() - int(request.headers.get("x-kikimimi-timestamp", "")))
        except ValueError:
            return "bad or missing X-Kikimimi-Timestamp"
        return "stale X-Kikimimi-Timestamp" if skew > self.max_skew_seconds else None

    def _reject(self, status: int, why: str) -> Reply:
        with self._lock:
            self.rejected.append((status, why))
        return json_reply(status, {"error": why})


def _unavailable(retry_after: int | None) -> Reply:
    """A 503 (with ``Retry-After`` when given)."""
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Reply(503, b'{"error": "unavailable"}', headers=headers)
