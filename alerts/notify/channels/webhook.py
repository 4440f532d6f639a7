"""Generic webhook: the notice as JSON, POSTed and (with a secret) HMAC-signed.

Headers: ``Content-Type: application/json``, ``X-Kikimimi-Event: <kind>``,
``X-Kikimimi-Delivery: <key>`` (the idempotency key, percent-encoded where not visible
ASCII: a receiver drops repeats), and with a
secret ``X-Kikimimi-Timestamp: <unix seconds>`` and ``X-Kikimimi-Signature:
sha256=<hex HMAC-SHA256 of the exact body bytes, keyed by the secret>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from alerts.notify.channels.base import (
    RedactingChannel,
    header_value,
    http_post,
    raise_for_status,
    safe_origin,
)
from config import WebhookChannelSettings
from core import Notice, one_line, secrets_in

__all__ = ["WebhookChannel", "notice_body", "sign"]


def notice_body(notice: Notice) -> bytes:
    """The JSON body: ``notice.model_dump(mode="json")``, compact UTF-8, its ``subject`` one
    clean line (:func:`core.one_line`: a receiver may show it as a title or mail subject)."""
    data = notice.model_dump(mode="json")
    data["subject"] = one_line(notice.subject)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The ``X-Kikimimi-Signature`` value for ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookChannel(RedactingChannel):
    """POSTs each notice to ``settings.url``."""

    def __init__(self, settings: WebhookChannelSettings) -> None:
        super().__init__(settings.name, secrets_in(settings))
        self.settings = settings

    def _send(self, notice: Notice) -> None:
        body = notice_body(notice)
        headers = {
            "Content-Type": "application/json",
            "X-Kikimimi-Event": notice.kind,
            "X-Kikimimi-Delivery": header_value(notice.key),
        }
        if self.settings.secret is not None:
            headers["X-Kikimimi-Timestamp"] = str(int(time.time()))
            headers["X-Kikimimi-Signature"] = sign(self.settings.secret.get_secret_value(), body)
        url = str(self.settings.url)
        response = http_post(url, body, headers, self.settings.timeout_seconds)
        raise_for_status(response, f"webhook {safe_origin(url)}")
