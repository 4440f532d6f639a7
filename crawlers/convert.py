"""Turning sources' formats into Mention fields: HTML to plain text, times to UTC."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime

import lxml.html

__all__ = ["from_unix", "html_to_text", "parse_time"]

_BLOCK_TAGS = ("p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SLASHED_TIMES = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on new lines.

    A block starts a new line whether or not it, or the one before it, is closed: Hacker
    News writes ``first<p>second<p>third``.
    """
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
        _break_before(block)
        block.tail = "\n" + (block.tail or "")
    return _tidy(root.text_content())


def _break_before(element: lxml.html.HtmlElement) -> None:
    """End the line before ``element`` unless the text before it already ends one."""
    previous = element.getprevious()
    if previous is not None:
        if not _ends_line(previous.tail):
            previous.tail = (previous.tail or "") + "\n"
        return
    parent = element.getparent()
    if parent is None:
        return
    if parent.text and parent.text.strip():
        if not _ends_line(parent.text):
            parent.text += "\n"
    elif parent.getparent() is not None:
        _break_before(parent)


def _ends_line(text: str | None) -> bool:
    return (text or "").rstrip(" \t\u00a0").endswith("\n")


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def parse_time(value: str, zone: tzinfo = UTC) -> datetime:
    """An ISO 8601, ``YYYY/MM/DD[ hh:mm[:ss]]`` or RFC 822 time as an aware UTC datetime; a
    time without an offset is in ``zone``. Raises ``ValueError`` for anything else."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _slashed_or_rfc822(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _slashed_or_rfc822(text: str) -> datetime:
    for layout in _SLASHED_TIMES:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    return parsedate_to_datetime(text)


def from_unix(seconds: float) -> datetime:
    """A Unix timestamp in seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)
