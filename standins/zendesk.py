"""Stand-in of a Zendesk Support account, for :class:`standins.server.StandinServer`.

:class:`ZendeskStandin` creates tickets: Basic ``email/token:api_token`` auth, the body
schema, ``Idempotency-Key`` replay, and 429 with ``Retry-After`` on demand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from typing import Any

from standins.channel_faults import ChannelFaults
from standins.server import Reply, Request, json_reply

__all__ = ["ZendeskStandin"]

TICKET_FIELDS = frozenset(
    {"subject", "comment", "priority", "tags", "external_id", "type", "status", "requester"}
    | {"requester_id", "assignee_id", "group_id", "custom_fields", "brand_id", "due_at"}
)
TICKET_PRIORITIES = frozenset({"urgent", "high", "normal", "low"})


def _record_invalid(field: str, description: str) -> Reply:
    details = {field: [{"description": description, "error": "InvalidValue"}]}
    return json_reply(
        422,
        {"error": "RecordInvalid", "description": "Record validation errors", "details": details},
    )


class ZendeskStandin:
    """A Zendesk Support account: ``POST /api/v2/tickets.json`` for one API token."""

    def __init__(self, email: str, api_token: str) -> None:
        self.email = email
        self.api_token = api_token
        self.tickets: dict[int, dict[str, Any]] = {}
        self.faults = ChannelFaults()
        self._idempotent: dict[str, tuple[str, Reply]] = {}
        self._lock = threading.Lock()

    def rate_limit(self, times: int, retry_after: int = 1) -> None:
        """Answer the next ``times`` requests 429 with ``Retry-After``."""
        reply = json_reply(
            429,
            {"error": "TooManyRequests", "description": "Rate limit exceeded"},
            {"Retry-After": str(retry_after)},
        )
        self.faults.fail(times, reply)

    def __call__(self, request: Request) -> Reply:
        if request.path != "/api/v2/tickets.json":
            return json_reply(404, {"error": "InvalidEndpoint", "description": "Not found"})
        if request.method != "POST":
            return json_reply(405, {"error": "MethodNotAllowed"})
        expected = base64.b64encode(f"{self.email}/token:{self.api_token}".encode()).decode()
        if not hmac.compare_digest(request.headers.get("authorization", ""), f"Basic {expected}"):
            return json_reply(401, {"error": "Couldn't authenticate you"})
        fault = self.faults.take()
        if fault is not None:
            return fault
        key = request.headers.get("idempotency-key")
        body_hash = hashlib.sha256(request.body).hexdigest()
        with self._lock:
            if key is not None and key in self._idempotent:
                earlier_hash, reply = self._idempotent[key]
                if earlier_hash != body_hash:
                    return json_reply(
                        400,
                        {
                            "error": "IdempotentRequestError",
                            "description": "Request parameters don't match the given"
                            " idempotency key",
                        },
                    )
                return Reply(
                    reply.status,
                    reply.body,
                    reply.content_type,
                    {**reply.headers, "x-idempotency-lookup": "hit"},
                )
            reply = self._create(request)
            if key is not None and reply.status == 201:
                self._idempotent[key] = (body_hash, reply)
        return reply

    def _create(self, request: Request) -> Reply:
        try:
            payload = json.loads(request.body)
        except ValueError:
            return json_reply(400, {"error": "Unprocessable Entity", "description": "bad JSON"})
        ticket = payload.get("ticket") if isinstance(payload, dict) else None
        if not isinstance(ticket, dict):
            return _record_invalid("ticket", "a ticket object is required")
        extra = sorted(set(ticket) - TICKET_FIELDS)
        if extra:
            return _record_invalid(extra[0], f"unknown ticket field {extra[0]}")
        comment = ticket.get("comment")
        text = (
            (comment.get("body") or comment.get("html_body")) if isinstance(comment, dict) else None
        )
        if not isinstance(text, str) or not text.strip():
            return _record_invalid("description", "Description: cannot be blank")
        if ticket.get("priority") not in (None, *TICKET_PRIORITIES):
            return _record_invalid("priority", f"Priority: {ticket['priority']} is not valid")
        tags = ticket.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            return _record_invalid("tags", "Tags: must be a list of strings")
        if any(" " in t for t in tags):
            return _record_invalid("tags", "Tags: may not contain spaces")
        if not isinstance(ticket.get("external_id", ""), str):
            return _record_invalid("external_id", "External id: must be a string")
        ticket_id = len(self.tickets) + 1
        url = f"/api/v2/tickets/{ticket_id}.json"
        stored = {
            "id": ticket_id,
            "url": url,
            "subject": ticket.get("subject"),
            "description": text,
            "priority": ticket.get("priority"),
            "status": "new",
            "tags": tags,
            "external_id": ticket.get("external_id"),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self.tickets[ticket_id] = stored
        headers = {"Location": url, "x-idempotency-lookup": "miss"}
        return json_reply(201, {"ticket": stored}, headers)
