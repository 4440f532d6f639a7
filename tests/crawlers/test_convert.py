"""HTML to plain text and times to UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawlers.convert import from_unix, html_to_text, parse_time
from standins.text import html_to_text as standin_html_to_text


def test_html_to_text_keeps_paragraphs_and_decodes_entities() -> None:
    html = (
        '<p>Hoshi &amp; Nami <a href="x">link</a></p><p>二行目<br>三行目</p><script>bad()</script>'
    )
    assert html_to_text(html) == "Hoshi & Nami link\n二行目\n三行目"


def test_an_unclosed_p_is_a_paragraph_break_too() -> None:
    # Hacker News writes paragraphs as "first<p>second<p>third", never closing them
    hn = 'We&#x27;re worse off as a result.<p>Apple used to <i>sell</i> it.<p>[1] <a href="u">u</a>'
    assert html_to_text(hn) == "We're worse off as a result.\nApple used to sell it.\n[1] u"
    assert html_to_text("see <a href='x'>this</a><p>next</p>after") == "see this\nnext\nafter"
    assert html_to_text("<p>one</p><p>two") == "one\ntwo"  # closed or not, the same


def test_the_stand_ins_agree_on_unclosed_blocks() -> None:
    for markup in ("a<p>b<p>c", "<p>a</p><p>b</p>", "x<div><p>y</p></div>z", "a<li>b<li>c"):
        assert standin_html_to_text(markup) == html_to_text(markup), markup


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


def test_times_without_an_offset_are_in_the_given_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    expected = datetime(2026, 11, 20, 8, 2, 3, tzinfo=UTC)
    assert parse_time("2026-11-20T17:02:03", tokyo) == expected
    assert parse_time("2026/11/20 17:02:03", tokyo) == expected
    assert parse_time("2026-11-20T08:02:03Z", tokyo) == expected  # an offset wins
    assert parse_time("2026/11/20") == datetime(2026, 11, 20, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_time("yesterday")
