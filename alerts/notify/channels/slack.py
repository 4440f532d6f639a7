"""Slack incoming webhook: ``{"text": fallback, "blocks": [...]}``.

Every piece of text is escaped as Slack asks (``&`` → ``&amp;``, ``<`` → ``&lt;``,
``>`` → ``&gt;``), so post text such as ``<!channel>`` or ``<https://evil|click>`` shows
literally instead of pinging or linking, and mrkdwn text objects are ``verbatim`` (no
automatic parsing of bare mentions or links). The only link is the notice's own URL, and
only when it is a plain http(s) URL. A notice with a document (a digest) posts the
document's blocks, which its maker escaped, with the subject as the fallback ``text``. The
webhook URL is the credential: it never appears in an error.
"""

from __future__ import annotations

import json
from typing import Any

from alerts.notify.channels.base import RedactingChannel, http_post, raise_for_status
from alerts.notify.render import render
from config import SlackChannelSettings
from core import DeliveryError, Notice, secrets_in

__all__ = ["SlackChannel", "escape", "slack_message"]

SECTION_LIMIT = 3000
TEXT_LIMIT = 4000
CONTEXT_ELEMENTS = 10


def escape(text: str) -> str:
    """Slack's escaping of its control characters: ``&``, ``<`` and ``>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fit(text: str, limit: int, prefix: str = "", suffix: str = "") -> str:
    """``prefix + escape(text) + suffix`` in at most ``limit`` characters (cut with "…")."""
    room = limit - len(prefix) - len(suffix)
    escaped = escape(text)
    if len(escaped) > room:
        pieces: list[str] = []
        used = 0
        for char in text:
            piece = escape(char)
            if used + len(piece) > room - 1:
                break
            pieces.append(piece)
            used += len(piece)
        escaped = "".join(pieces) + "…"
    return prefix + escaped + suffix


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def slack_message(notice: Notice) -> dict[str, Any]:
    """The incoming-webhook payload for ``notice``."""
    parts = render(notice)
    if notice.document is not None:
        return {"text": _fit(parts.subject, TEXT_LIMIT), "blocks": notice.document.slack_blocks}
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": _mrkdwn(_fit(parts.subject, SECTION_LIMIT, "*", "*"))}
    ]
    if parts.body:
        blocks.append({"type": "section", "text": _mrkdwn(_fit(parts.body, SECTION_LIMIT))})
    if parts.facts:
        elements = [
            _mrkdwn(_fit(f"{label}: {value}", SECTION_LIMIT))
            for label, value in parts.facts[:CONTEXT_ELEMENTS]
        ]
        blocks.append({"type": "context", "elements": elements})
    if parts.link:
        link = escape(parts.link)  # a safe link holds no "<", ">" or "|"
        blocks.append({"type": "section", "text": _mrkdwn(f"<{link}|Open the post>")})
    return {"text": _fit(parts.subject, TEXT_LIMIT), "blocks": blocks}


class SlackChannel(RedactingChannel):
    """Posts each notice to a Slack incoming webhook."""

    def __init__(self, settings: SlackChannelSettings) -> None:
        super().__init__(settings.name, secrets_in(settings))
        self.settings = settings

    def _send(self, notice: Notice) -> None:
        body = json.dumps(slack_message(notice), ensure_ascii=False).encode("utf-8")
        url = self.settings.url.get_secret_value()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        response = http_post(url, body, headers, self.settings.timeout_seconds)
        raise_for_status(response, "Slack")
        if response.body.strip() not in (b"ok", b""):
            raise DeliveryError(False, f"Slack answered {response.text()!r} instead of 'ok'")
