"""HTML to plain text and times to UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from crawlers.convert import from_unix, html_to_text, parse_time


def test_html_to_text_keeps_paragraphs_and_decodes_entities() -> None:
    html = (
        '<p>Hoshi &amp; Nami <a href="x">link</a></p><p>二行目<br>三行目</p><script>bad()</script>'
    )
    assert html_to_text(html) == "Hoshi & Nami link\n二行目\n三行目"


def test_html_to_text_of_plain_and_empty_text() -> None:
    assert html_to_text("fish &amp; chips") == "fish & chips"
    assert html_to_text(None) == ""
    assert html_to_text("   ") == ""


def test_times_become_utc() -> None:
    expected = datetime(2026, 11, 20, 8, 2, 3, tzinfo=UTC)
    assert parse_time("2026-11-20T17:02:03+09:00") == expected
    assert parse_time("2026-11-20T08:02:03Z") == expected
    assert parse_time("Fri, 20 Nov 2026 08:02:03 GMT") == expected
    assert parse_time("2026-11-20T08:02:03") == expected
    assert from_unix(expected.timestamp()) == expected
