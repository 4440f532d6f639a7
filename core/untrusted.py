"""Text from the public made safe to show: in a terminal, a subject line, a table cell.

Post text, titles, author names and handles come from anyone. Shown raw, they can drive a
terminal (escape sequences clear the screen, colour the output, set the window title with
OSC 0 or plant a hidden link with OSC 8; a bare CR writes over the line) or disguise what a
reader sees (bidi controls reorder the text, zero-width characters hide inside words).
:func:`visible_text` removes all of these and keeps line breaks and tabs; :func:`one_line`
also makes every run of spaces, tabs and line breaks one space (subjects, list lines,
table cells); :func:`escape_invisible` writes them as ``\\uXXXX`` escapes instead (JSON
output: valid, and nothing lost). Japanese text, emoji (a zero-width joiner inside an emoji
sequence included) and punctuation are kept.
"""

from __future__ import annotations

import re

__all__ = ["escape_invisible", "one_line", "visible_text"]

_ESCAPE_SEQUENCE = re.compile(
    # CSI (colours, cursor moves, clearing): ESC [ or C1 CSI, parameters, a final byte
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    # control strings (OSC, DCS, SOS, PM, APC) up to BEL or ST, or the end of the line
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    # any other escape sequence: ESC, intermediate bytes, a final byte
    r"|\x1b[ -/]*[0-~]?"
)
_LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_EMOJI = r"\U0001f000-\U0001faff\u2600-\u27bf"
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls but tab and line feed, DEL, C1 controls
    r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides
    r"\u200b\u200c\u2060\ufeff"  # zero-width space and non-joiner, word joiner, BOM
    r"\ud800-\udfff]"  # lone surrogates (not text; a terminal cannot even encode them)
    # a zero-width joiner, unless it joins two emoji (woman, ZWJ, laptop: one emoji)
    rf"|(?<![{_EMOJI}\ufe0f])\u200d|\u200d(?![{_EMOJI}])"
)
_BLANKS = re.compile(r"[ \t\n]+")
_ESCAPED = re.compile(rf"{_INVISIBLE.pattern}|[\u2028\u2029]")


def visible_text(text: str) -> str:
    """``text`` without escape sequences, control characters (tab and line feed kept; CR,
    CRLF and other line breaks made line feeds), bidi controls and zero-width characters."""
    text = _LINE_BREAK.sub("\n", _ESCAPE_SEQUENCE.sub("", text))
    return _INVISIBLE.sub("", text)


def one_line(text: str) -> str:
    """:func:`visible_text` on one line: runs of spaces, tabs and line breaks made one
    space, none at either end (other spaces, such as the ideographic space, are kept)."""
    return _BLANKS.sub(" ", visible_text(text)).strip(" ")


def escape_invisible(text: str) -> str:
    """``text`` with every character :func:`visible_text` would drop but tab and line feed
    (ESC included) written as a ``\\uXXXX`` escape: for JSON printed to a terminal."""
    return _ESCAPED.sub(lambda match: f"\\u{ord(match[0]):04x}", text)
