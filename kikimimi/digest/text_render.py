"""The digest as plain text: the e-mail's text part and the notice body.

Every value from the data is one clean line (:func:`core.one_line`: no control characters,
escape sequences, bidi controls or zero-width characters); columns are padded by display
width, so Japanese names line up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from core import one_line
from kikimimi.digest.formatting import (
    SPIKES_SHOWN,
    change_text,
    day_label,
    digest_title,
    local_moment,
    percent,
    period_label,
    points,
    signed,
)
from kikimimi.digest.records import CareKpis, Digest, Excerpt

__all__ = ["render_text"]


def render_text(digest: Digest) -> str:
    """The whole digest as text."""
    days = len(digest.days)
    lines = [
        one_line(digest_title(digest)),
        f"{period_label(digest.start.date(), digest.end.date())} ({digest.timezone}), "
        f"compared with the {days} day(s) before.",
        "",
        *_volume(digest),
        "",
        *_share(digest),
        "",
        *_topics(digest),
        "",
        *_themes(digest),
        "",
        *_spikes(digest),
        "",
        *_care(digest.care),
        "",
        f"Sent by Kikimimi to the audience {one_line(digest.audience)}.",
    ]
    return "\n".join(lines) + "\n"


def _volume(digest: Digest) -> list[str]:
    rows = [
        [
            _brand(b.brand, b.role),
            str(b.posts.current),
            change_text(b.posts),
            str(b.sentiment.negative),
            signed(b.net),
            signed(b.previous_net),
        ]
        for b in digest.brands
    ]
    headers = ["Brand", "Posts", "vs before", "Negative", "Net", "Net before"]
    daily_headers = ["Posts per day", *(day_label(day) for day in digest.days)]
    daily = [[one_line(b.brand), *(str(n) for n in b.daily)] for b in digest.brands]
    return [
        "VOLUME AND NET SENTIMENT",
        *_table(headers, rows),
        "",
        *_table(daily_headers, daily),
    ]


def _share(digest: Digest) -> list[str]:
    rows = [
        [
            one_line(b.brand),
            f"{percent(b.share.all_posts.share)} ({points(b.share.all_posts.change)})",
            f"{percent(b.share.negative_posts.share)} ({points(b.share.negative_posts.change)})",
        ]
        for b in digest.brands
    ]
    lines = ["SHARE OF VOICE", *_table(["Brand", "All posts", "Negative posts"], rows)]
    if digest.own is not None:
        own = digest.own
        lines += [
            "",
            f"Our brands: {percent(own.all_posts.share)} of all posts "
            f"({points(own.all_posts.change)}), {percent(own.negative_posts.share)} of the "
            f"negative ones ({points(own.negative_posts.change)}).",
        ]
    return lines


def _topics(digest: Digest) -> list[str]:
    lines = ["TOP TOPICS"]
    for topic in digest.topics:
        lines.append(
            f"- {one_line(topic.topic)} ({one_line(topic.brand)}): {topic.posts.current} posts "
            f"({change_text(topic.posts)}), {topic.negative} negative"
        )
        lines += _example(topic.example, digest.timezone)
    return lines if digest.topics else [*lines, "No topic was found in the period's posts."]


def _themes(digest: Digest) -> list[str]:
    lines = ["RISING THEMES"]
    for theme in digest.themes:
        lines.append(
            f"- {one_line(theme.term)}: {theme.posts} posts ({theme.previous_posts} before)"
        )
        lines += _example(theme.example, digest.timezone)
    return lines if digest.themes else [*lines, "Nothing rose significantly."]


def _spikes(digest: Digest) -> list[str]:
    lines = ["SPIKES"]
    for spike in digest.spikes[:SPIKES_SHOWN]:
        when = local_moment(spike.window_end, digest.timezone)
        lines.append(f"- {one_line(spike.brand)}, until {when}: {one_line(spike.why)}")
    if len(digest.spikes) > SPIKES_SHOWN:
        lines.append(f"... and {len(digest.spikes) - SPIKES_SHOWN} more.")
    return lines if digest.spikes else [*lines, "No spike alert."]


def _care(care: Sequence[CareKpis]) -> list[str]:
    lines = ["CARE"]
    for kpis in care:
        lines.append(f"{one_line(kpis.brand or 'All brands')}:")
        lines += [
            f"  {one_line(t.label)}: {one_line(t.value)}"
            + (f" ({one_line(t.detail)})" if t.detail else "")
            for t in kpis.tiles
        ]
    return lines if care else [*lines, "No own brand in this digest."]


def _example(example: Excerpt | None, zone: str) -> list[str]:
    if example is None:
        return []
    when = local_moment(example.published_at, zone)
    lines = [
        f"  “{one_line(example.text)}”",
        f"  — {one_line(example.author)} on {one_line(example.source)}, {when}",
    ]
    return lines + ([f"  {example.url}"] if example.url else [])


def _brand(name: str, role: str) -> str:
    return one_line(name) + (" (own)" if role == "own" else "")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell; numbers (all but the first column) to the right."""
    widths = [max(_width(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell + " " * (width - _width(cell))
            if index == 0
            else " " * (width - _width(cell)) + cell
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return [line(headers), *(line(row) for row in rows)]
