"""Untrusted text made safe to show: every class of control character goes, text stays."""

from __future__ import annotations

import json

import pytest

from core.untrusted import escape_invisible, one_line, visible_text

JAPANESE = "ほしモバイルの５Ｇ、速い！（本当に）「最高」　全角スペース"
EMOJI = "📱🔥👍🏽 🇯🇵 ❤️ 👩\u200d💻 👨\u200d👩\u200d👧"  # skin tone, flag, VS16, ZWJ sequences
PUNCTUATION = "Hoshi Mobile: 50% off?! <b>&amp;</b> \"quoted\" 'single' (a) [b] {c} #tag @user ~/$"


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("a\x1b[2Jb", "ab"),  # clear the screen
        ("\x1b[1;31mred\x1b[0m", "red"),  # colours
        ("\x1b[38;2;255;0;0mtrue colour\x1b[m", "true colour"),
        ("a\x1b]0;title\x07b", "ab"),  # OSC 0: window title, BEL-terminated
        ("a\x1b]0;title\x1b\\b", "ab"),  # ... ST-terminated
        ("\x1b]8;;http://evil\x07click\x1b]8;;\x07", "click"),  # OSC 8: hidden link
        ("a\x1b]52;c;ZXZpbA==", "a"),  # an unterminated OSC 52 (clipboard) to the end
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1bcb", "ab"),  # RIS: reset the terminal
        ("a\x1b(0b", "ab"),  # designate a character set
        ("a\x1b7\x1b8b", "ab"),  # save / restore the cursor
        ("a\x9b2Jb", "ab"),  # C1 CSI
        ("a\x9d0;title\x9cb", "ab"),  # C1 OSC ... ST
        ("a\x1b", "a"),  # a lone ESC at the end
        ("a\x00b\x07c\x08d\x7fe\x85f\x80\x8dg", "abcde\nfg"),  # C0, DEL, C1 (NEL: a break)
        ("paid\rREFUNDED", "paid\nREFUNDED"),  # a bare CR cannot write over the line
        ("a\r\nb", "a\nb"),
        ("a\u2028b\u2029c\x0bd\x0ce", "a\nb\nc\nd\ne"),
        ("evil\u202etxt.exe", "eviltxt.exe"),  # bidi override
        ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061cx", "x"),
        ("pay\u200bpal\u200c\u200d\u2060\ufeff", "paypal"),  # zero-width characters
        ("bad \ud800 surrogate", "bad  surrogate"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_visible_text_removes_each_class_of_control(hostile: str, shown: str) -> None:
    assert visible_text(hostile) == shown


@pytest.mark.parametrize("text", [JAPANESE, EMOJI, PUNCTUATION, "日本語\nの改行"])
def test_text_emoji_and_punctuation_are_kept(text: str) -> None:
    assert visible_text(text) == text
    assert escape_invisible(text) == text


def test_one_line_makes_breaks_and_tabs_one_space() -> None:
    assert one_line("a\r\nb\t c\x00d") == "a b cd"
    assert one_line("  \x1b[2J first\r\n\r\n\tsecond\u2028third \u202e ") == "first second third"
    assert one_line(JAPANESE) == JAPANESE  # the ideographic space stays
    assert one_line(EMOJI) == EMOJI
    assert one_line("\x1b]0;x\x07\r\n") == ""


def test_escape_invisible_keeps_json_valid_and_lossless() -> None:
    data = {"text": "a\x1b[2J\x9b\u202e\u200b\x7f\u2028" + JAPANESE + EMOJI, "n": 1}
    dumped = escape_invisible(json.dumps(data, ensure_ascii=False))
    assert visible_text(dumped) == dumped  # nothing left to act on a terminal
    assert json.loads(dumped) == data
    assert JAPANESE in dumped and EMOJI in dumped
