"""Zendesk Support tickets: ``POST {base_url}/api/v2/tickets.json``.

Body ``{"ticket": {"subject", "comment": {"body"}, "priority", "tags", "external_id"}}`` with
Basic auth ``{email}/token:{api_token}`` and ``Idempotency-Key: <notice key>`` (Zendesk keeps
keys two hours and replays the first answer to a repeat); ``external_id`` is the key too.
Success is 201 ``{"ticket": {...}}``; 429 and 503 come with ``Retry-After``; 409 (the same
key still in flight) is retryable.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from alerts.notify.channels.base import (
    RedactingChannel,
    header_value,
    http_post,
    raise_for_status,
    safe_origin,
)
from alerts.notify.render import cut, render, slug
from config import ZendeskChannelSettings
from core import DeliveryError, Notice, retry_after_seconds, secrets_in

__all__ = ["ZendeskChannel", "idempotency_key", "zendesk_ticket"]

MAX_KEY = 255


def idempotency_key(key: str) -> str:
    """The ``Idempotency-Key`` header for a notice key (hashed when over 255 characters)."""
    value = header_value(key)
    return value if len(value) <= MAX_KEY else hashlib.sha256(key.encode()).hexdigest()


def zendesk_ticket(notice: Notice, settings: ZendeskChannelSettings) -> dict[str, Any]:
    """The request body for ``notice``."""
    parts = render(notice)
    tags = [*settings.tags, notice.kind, *(slug(v) for v in (notice.brand, notice.team) if v)]
    return {
        "ticket": {
            "subject": cut(parts.subject, 255),
            "comment": {"body": parts.plain_text()},
            "priority": notice.priority or "normal",
            "tags": [t for t in dict.fromkeys(tags) if t],
            "external_id": notice.key,
        }
    }


class ZendeskChannel(RedactingChannel):
    """Opens one ticket per notice."""

    def __init__(self, settings: ZendeskChannelSettings) -> None:
        super().__init__(settings.name, secrets_in(settings))
        self.settings = settings
        credentials = f"{settings.email}/token:{settings.api_token.get_secret_value()}"
        self._authorization = "Basic " + base64.b64encode(credentials.encode()).decode()
        self.add_secret(self._authorization.removeprefix("Basic "))

    def _send(self, notice: Notice) -> None:
        url = f"{str(self.settings.base_url).rstrip('/')}/api/v2/tickets.json"
        body = json.dumps(zendesk_ticket(notice, self.settings), ensure_ascii=False).encode()
        headers = {
            "Authorization": self._authorization,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Idempotency-Key": idempotency_key(notice.key),
        }
        response = http_post(url, body, headers, self.settings.timeout_seconds)
        if response.status == 409:
            raise DeliveryError(
                True,
                "Zendesk is still processing the same Idempotency-Key (HTTP 409)",
                retry_after=retry_after_seconds(response.headers.get("retry-after")),
                status=409,
            )
        raise_for_status(response, f"Zendesk {safe_origin(url)}")
