"""The digest as Slack Block Kit blocks (an incoming webhook's ``blocks``).

Slack shows no pictures sent with an incoming webhook, so the figures are text, with a
sparkline of posts per day. Text from the data (brand, topic and theme names, post
excerpts, author names, spike reasons) goes only into ``plain_text`` objects, which Slack
never formats, links or turns into mentions, after Slack's escaping of its control
characters (``&`` ``<`` ``>``): a post saying ``<!here>``, ``@channel``, ``*bold*`` or
``<https://evil|click>`` shows as written and pings or links nothing. ``mrkdwn`` (always
``verbatim``) carries only the digest's own headings and the links to example posts, whose
http(s) URLs hold none of ``<``, ``>`` or ``|``. Lengths stay within Slack's limits (header
150, field 2000, section text 3000 characters; at most 10 fields, 50 blocks).
"""

from __future__ import annotations

from typing import Any

from core import one_line
from kikimimi.digest.formatting import (
    SPIKES_SHOWN,
    change_text,
    local_moment,
    percent,
    period_label,
    points,
    signed,
)
from kikimimi.digest.records import CareKpis, Digest, Excerpt

__all__ = ["escape", "render_slack", "sparkline"]

HEADER_LIMIT = 150
FIELD_LIMIT = 2000
TEXT_LIMIT = 3000
MAX_FIELDS = 10
_BARS = "▁▂▃▄▅▆▇█"

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's escaping of its control characters: ``&``, ``<`` and ``>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sparkline(counts: list[int]) -> str:
    """``[0, 5, 10]`` → ``"▁▅█"`` (relative to the highest count)."""
    top = max(counts, default=0)
    return "".join(_BARS[round(n / top * (len(_BARS) - 1)) if top else 0] for n in counts)


def _plain(text: str, limit: int = TEXT_LIMIT) -> dict[str, Any]:
    """A ``plain_text`` object: ``text`` escaped, cut to ``limit`` characters with "…"."""
    escaped = escape(text)
    if len(escaped) > limit:
        kept, used = [], 0
        for char in text:
            piece = escape(char)
            if used + len(piece) > limit - 1:
                break
            kept.append(piece)
            used += len(piece)
        escaped = "".join(kept) + "…"
    return {"type": "plain_text", "text": escaped, "emoji": False}


def _mrkdwn(text: str) -> dict[str, Any]:
    """A ``mrkdwn`` object for the digest's own words (never data)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _heading(title: str, fields: list[dict[str, Any]] | None = None) -> Block:
    block: Block = {"type": "section", "text": _mrkdwn(f"*{title}*")}
    if fields:
        block["fields"] = fields[:MAX_FIELDS]
    return block


def render_slack(digest: Digest) -> list[Block]:
    """The digest's blocks."""
    span = period_label(digest.start.date(), digest.end.date())
    return [
        {
            "type": "header",
            "text": _plain(f"Brand health: {one_line(digest.audience)}", HEADER_LIMIT),
        },
        {
            "type": "context",
            "elements": [
                _plain(
                    f"{span} ({digest.timezone}), compared with the {len(digest.days)} day(s) "
                    "before. The e-mail digest has the charts."
                )
            ],
        },
        {"type": "divider"},
        *_volume(digest),
        *_share(digest),
        *_listed(
            "Top topics",
            _topic_lines(digest),
            "No topic was found in the period's posts.",
            digest.timezone,
        ),
        *_listed(
            "Rising themes", _theme_lines(digest), "Nothing rose significantly.", digest.timezone
        ),
        *_spikes(digest),
        *_care(digest.care),
    ]


def _volume(digest: Digest) -> list[Block]:
    fields = [
        _plain(
            f"{one_line(b.brand)}{' (own)' if b.role == 'own' else ''}\n"
            f"{b.posts.current} posts ({change_text(b.posts)}), {b.sentiment.negative} negative\n"
            f"net {signed(b.net)} (before {signed(b.previous_net)})\n"
            f"{sparkline(b.daily)}",
            FIELD_LIMIT,
        )
        for b in digest.brands
    ]
    return [_heading("Volume and net sentiment (posts per day: ▁ to █)", fields)]


def _share(digest: Digest) -> list[Block]:
    fields = [
        _plain(
            f"{one_line(b.brand)}\n"
            f"{percent(b.share.all_posts.share)} of all posts "
            f"({points(b.share.all_posts.change)})\n"
            f"{percent(b.share.negative_posts.share)} of negative posts "
            f"({points(b.share.negative_posts.change)})",
            FIELD_LIMIT,
        )
        for b in digest.brands
    ]
    blocks = [_heading("Share of voice", fields)]
    if digest.own is not None:
        own = digest.own
        text = (
            f"Our brands: {percent(own.all_posts.share)} of all posts "
            f"({points(own.all_posts.change)}), {percent(own.negative_posts.share)} of the "
            f"negative ones ({points(own.negative_posts.change)})."
        )
        blocks.append({"type": "context", "elements": [_plain(text)]})
    return blocks


def _topic_lines(digest: Digest) -> list[tuple[str, Excerpt | None]]:
    return [
        (
            f"{one_line(t.topic)} ({one_line(t.brand)}): {t.posts.current} posts "
            f"({change_text(t.posts)}), {t.negative} negative",
            t.example,
        )
        for t in digest.topics
    ]


def _theme_lines(digest: Digest) -> list[tuple[str, Excerpt | None]]:
    return [
        (f"{one_line(t.term)}: {t.posts} posts ({t.previous_posts} before)", t.example)
        for t in digest.themes
    ]


def _listed(
    title: str, items: list[tuple[str, Excerpt | None]], empty: str, zone: str
) -> list[Block]:
    """A heading, then each item as a section and its example post as a context."""
    blocks: list[Block] = [_heading(title)]
    if not items:
        blocks.append({"type": "context", "elements": [_plain(empty)]})
    for line, example in items:
        blocks.append({"type": "section", "text": _plain(line)})
        if example is not None:
            blocks.append({"type": "context", "elements": _example(example, zone)})
    return blocks


def _example(example: Excerpt, zone: str) -> list[dict[str, Any]]:
    when = local_moment(example.published_at, zone)
    elements = [
        _plain(
            f"“{one_line(example.text)}” — {one_line(example.author)} on "
            f"{one_line(example.source)}, {when}"
        )
    ]
    if example.url:  # an http(s) URL without "<", ">", "|" or spaces
        elements.append(_mrkdwn(f"<{escape(example.url)}|open the post>"))
    return elements


def _spikes(digest: Digest) -> list[Block]:
    lines = [
        f"• {one_line(s.brand)}, until {local_moment(s.window_end, digest.timezone)}: "
        f"{one_line(s.why)}"
        for s in digest.spikes[:SPIKES_SHOWN]
    ]
    if len(digest.spikes) > SPIKES_SHOWN:
        lines.append(f"… and {len(digest.spikes) - SPIKES_SHOWN} more.")
    text = "\n".join(lines) or "No spike alert."
    return [_heading("Spikes"), {"type": "section", "text": _plain(text)}]


def _care(care: list[CareKpis]) -> list[Block]:
    if not care:
        return [
            _heading("Care"),
            {"type": "context", "elements": [_plain("No own brand in this digest.")]},
        ]
    blocks: list[Block] = []
    for kpis in care:
        fields = [
            _plain(
                f"{one_line(t.label)}\n{one_line(t.value)}"
                + (f" · {one_line(t.detail)}" if t.detail else ""),
                FIELD_LIMIT,
            )
            for t in kpis.tiles
        ]
        blocks.append(
            {
                "type": "section",
                "text": _plain(f"Care: {one_line(kpis.brand or 'all brands')}"),
                "fields": fields[:MAX_FIELDS],
            }
        )
    return blocks
