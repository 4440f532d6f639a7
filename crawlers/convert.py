"""Turning sources' formats into Mention fields: HTML to plain text, times to UTC."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import lxml.html

__all__ = ["from_unix", "html_to_text", "parse_time"]

_BLOCK_TAGS = ("p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on new lines."""
    if not markup or not markup.strip():
        return ""
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter(*_BLOCK_TAGS):
        block.tail = "\n" + (block.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def parse_time(value: str) -> datetime:
    """An ISO 8601 or RFC 822 time as an aware UTC datetime (naive times are taken as UTC)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = parsedate_to_datetime(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def from_unix(seconds: float) -> datetime:
    """A Unix timestamp in seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)
