"""What the imitated services do to text: HTML to plain text, hashtags, ISO times.

The stand-ins' own small versions (stdlib only), so that a stand-in never borrows the code
of the crawler that reads it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime
from html.parser import HTMLParser

__all__ = ["hashtag", "html_to_text", "parse_iso_time"]

_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
)
_HIDDEN_TAGS = frozenset({"script", "style"})
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_NOT_TAG = re.compile(r"[^\w]+")


class _TextCollector(HTMLParser):
    """Collects the text of a fragment: a new line before and after each block (closed or
    not) and after each ``<br>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0  # depth inside script/style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br" or (tag in _BLOCK_TAGS and not self._at_line_start()):
            self.parts.append("\n")

    def _at_line_start(self) -> bool:
        for part in reversed(self.parts):
            text = part.rstrip(" \t\u00a0")
            if text:
                return text.endswith("\n")
        return True

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on new lines.

    A block starts a new line whether or not it, or the one before it, is closed: Hacker
    News writes ``first<p>second<p>third``.
    """
    if not markup or not markup.strip():
        return ""
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return _tidy("".join(collector.parts))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def hashtag(phrase: str) -> str:
    """A tag as Mastodon normalises it: NFKC, without spaces or punctuation, lowercase."""
    return _NOT_TAG.sub("", unicodedata.normalize("NFKC", phrase)).casefold()


def parse_iso_time(value: str) -> datetime:
    """An ISO 8601 time or date as an aware UTC datetime (naive ones are taken as UTC)."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
