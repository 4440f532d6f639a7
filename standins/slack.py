"""Stand-in of a Slack incoming webhook, for :class:`standins.server.StandinServer`.

:class:`SlackSink` wants ``text``; blocks must be of known types with valid text objects
(:func:`slack_block_problems`). It answers ``ok`` or Slack's plain-text errors.
"""

from __future__ import annotations

import json
import threading
from typing import Any, cast

from standins.channel_faults import ChannelFaults
from standins.server import Reply, Request

__all__ = ["SlackSink", "slack_block_problems"]

SLACK_BLOCK_TYPES = frozenset(
    {"actions", "context", "divider", "file", "header", "image", "input", "markdown"}
    | {"rich_text", "section", "video"}
)


def _text_object_problem(obj: Any, limit: int, plain_only: bool = False) -> str | None:
    if not isinstance(obj, dict):
        return "a text object must be an object"
    kind, text = obj.get("type"), obj.get("text")
    if kind not in (("plain_text",) if plain_only else ("plain_text", "mrkdwn")):
        return f"bad text object type {kind!r}"
    if not isinstance(text, str) or not text:
        return "a text object needs non-empty text"
    if len(text) > limit:
        return f"text longer than {limit} characters"
    allowed = {"type", "text", "emoji"} if kind == "plain_text" else {"type", "text", "verbatim"}
    extra = set(obj) - allowed
    return f"unknown text object fields {sorted(extra)}" if extra else None


def slack_block_problems(blocks: Any) -> list[str]:
    """What Slack would refuse in ``blocks`` (the checks the channel relies on)."""
    if not isinstance(blocks, list):
        return ["blocks must be a list"]
    problems: list[str] = []
    if len(blocks) > 50:
        problems.append("more than 50 blocks")
    for index, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in SLACK_BLOCK_TYPES:
            problems.append(f"block {index}: unknown type {kind!r}")
            continue
        block = cast(dict[str, Any], block)
        problem: str | None = None
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problem = "a section needs text or fields"
            elif "text" in block:
                problem = _text_object_problem(block["text"], 3000)
        elif kind == "header":
            problem = _text_object_problem(block.get("text"), 150, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problem = "a context needs 1 to 10 elements"
            else:
                problem = next(
                    filter(None, (_text_object_problem(e, 3000) for e in elements)), None
                )
        if problem:
            problems.append(f"block {index}: {problem}")
    return problems


class SlackSink:
    """A Slack incoming webhook at ``path``: answers ``ok`` or Slack's plain-text errors."""

    def __init__(self, path: str = "/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX") -> None:
        self.path = path
        self.messages: list[dict[str, Any]] = []
        self.faults = ChannelFaults()
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        if request.path != self.path:
            return _text_reply(404, "no_service")
        if request.method != "POST":
            return _text_reply(405, "invalid_method")
        fault = self.faults.take()
        if fault is not None:
            return fault
        try:
            payload = json.loads(request.body)
        except ValueError:
            return _text_reply(400, "invalid_payload")
        if not isinstance(payload, dict):
            return _text_reply(400, "invalid_payload")
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            return _text_reply(400, "no_text")
        if "blocks" in payload and slack_block_problems(payload["blocks"]):
            return _text_reply(400, "invalid_blocks")
        with self._lock:
            self.messages.append(payload)
        return _text_reply(200, "ok")


def _text_reply(status: int, text: str) -> Reply:
    return Reply(status, text.encode(), "text/html")
