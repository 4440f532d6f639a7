"""The digest as an HTML e-mail: tables and inline styles (what mail clients keep), the PNG
charts (:mod:`.charts`) each followed by a table of its figures, and nothing that runs.

Every value from the data — brand, topic and theme names, post excerpts, author names,
sources, the spike alerts' reasons — is one clean line (:func:`core.one_line`) and then
HTML-escaped, in attributes too; the only links are posts' own http(s) URLs. Where each
chart's picture comes from is the caller's: ``cid:`` in the mail, a file for a preview.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from core import one_line
from kikimimi.digest.charts import Chart, brand_colour
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

__all__ = ["render_html"]

FONT = "font-family:Helvetica,Arial,'Hiragino Sans','Noto Sans CJK JP',sans-serif"
TEXT = "#1f2933"
MUTED = "#616e7c"
RULE = "#e3e7eb"
CELL = f"padding:4px 8px;border-bottom:1px solid {RULE};text-align:right"
FIRST = f"padding:4px 8px;border-bottom:1px solid {RULE};text-align:left"


def _e(value: object) -> str:
    """A value from the data, on one clean line, HTML-escaped (quotes too)."""
    return html.escape(one_line(str(value)), quote=True)


def render_html(digest: Digest, charts: Sequence[Chart], source: Callable[[Chart], str]) -> str:
    """The whole digest as one HTML document; ``source`` gives each chart's ``src``."""
    chart = {c.name: c for c in charts}
    span = period_label(digest.start.date(), digest.end.date())
    sections = [
        _section("Volume", _image(chart.get("volume"), source) + _volume_table(digest)),
        _section("Net sentiment", _image(chart.get("sentiment"), source) + _net_table(digest)),
        _section("Share of voice", _image(chart.get("share"), source) + _share_table(digest)),
        _section("Top topics", _topics(digest)),
        _section("Rising themes", _themes(digest)),
        _section("Spikes", _spikes(digest)),
        _section("Care", _care(digest.care)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        f"<title>{_e(digest_title(digest))}</title></head>\n"
        f'<body style="margin:0;padding:0;background:#f4f5f7;color:{TEXT};{FONT}">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="background:#f4f5f7"><tr><td align="center" style="padding:16px">\n'
        '<table role="presentation" width="640" cellpadding="0" cellspacing="0" '
        'style="max-width:640px;width:100%;background:#ffffff">\n'
        f'<tr><td style="padding:20px 20px 4px 20px"><h1 style="margin:0;font-size:22px">'
        f"Brand health: {_e(digest.audience)}</h1>"
        f'<p style="margin:4px 0 0 0;color:{MUTED}">{_e(span)} ({_e(digest.timezone)}), '
        f"compared with the {len(digest.days)} day(s) before.</p></td></tr>\n"
        + "".join(sections)
        + f'<tr><td style="padding:16px 20px;color:{MUTED};font-size:12px">Sent by Kikimimi to '
        f"the audience {_e(digest.audience)}. Every chart's figures are in the table under it."
        "</td></tr>\n</table>\n</td></tr></table>\n</body></html>\n"
    )


def _section(title: str, content: str) -> str:
    return (
        f'<tr><td style="padding:16px 20px 0 20px"><h2 style="margin:0 0 8px 0;font-size:17px;'
        f'border-bottom:2px solid {RULE}">{_e(title)}</h2>\n{content}</td></tr>\n'
    )


def _image(chart: Chart | None, source: Callable[[Chart], str]) -> str:
    if chart is None:
        return ""
    return (
        f'<img src="{html.escape(source(chart), quote=True)}" width="{chart.width}" '
        f'height="{chart.height}" alt="{_e(chart.description)}" '
        'style="display:block;max-width:100%;height:auto;border:0">\n'
        f'<p style="margin:2px 0 0 0;color:{MUTED};font-size:12px">{_e(chart.legend)}</p>\n'
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of escaped cells (``rows`` hold HTML already escaped)."""
    head = "".join(
        f'<th style="{FIRST if i == 0 else CELL};color:{MUTED};font-weight:normal">{_e(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{FIRST if i == 0 else CELL}">{cell}</td>' for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        f'style="border-collapse:collapse;font-size:13px;margin:8px 0"><tr>{head}</tr>{body}'
        "</table>\n"
    )


def _swatch(index: int) -> str:
    return (
        f'<span style="display:inline-block;width:10px;height:10px;margin-right:6px;'
        f'background:{brand_colour(index)}"></span>'
    )


def _brand_cell(digest: Digest, index: int) -> str:
    brand = digest.brands[index]
    own = " <small>(own)</small>" if brand.role == "own" else ""
    return f"{_swatch(index)}{_e(brand.brand)}{own}"


def _volume_table(digest: Digest) -> str:
    headers = ["Brand", *(day_label(day) for day in digest.days), "Posts", "vs before"]
    rows = [
        [
            _brand_cell(digest, i),
            *(str(n) for n in b.daily),
            f"<b>{b.posts.current}</b>",
            _e(change_text(b.posts)),
        ]
        for i, b in enumerate(digest.brands)
    ]
    return _table(headers, rows)


def _net_table(digest: Digest) -> str:
    headers = ["Brand", "Positive", "Neutral", "Negative", "Net", "Net before"]
    rows = [
        [
            _brand_cell(digest, i),
            str(b.sentiment.positive),
            str(b.sentiment.neutral),
            str(b.sentiment.negative),
            f"<b>{_e(signed(b.net))}</b>",
            _e(signed(b.previous_net)),
        ]
        for i, b in enumerate(digest.brands)
    ]
    return _table(headers, rows)


def _share_table(digest: Digest) -> str:
    headers = ["Brand", "All posts", "change", "Negative posts", "change"]
    rows = [
        [
            _brand_cell(digest, i),
            _e(percent(b.share.all_posts.share)),
            _e(points(b.share.all_posts.change)),
            _e(percent(b.share.negative_posts.share)),
            _e(points(b.share.negative_posts.change)),
        ]
        for i, b in enumerate(digest.brands)
    ]
    table = _table(headers, rows)
    if digest.own is None:
        return table
    own = digest.own
    return table + (
        f'<p style="margin:4px 0;font-size:13px">Our brands: {_e(percent(own.all_posts.share))}'
        f" of all posts ({_e(points(own.all_posts.change))}), "
        f"{_e(percent(own.negative_posts.share))} of the negative ones "
        f"({_e(points(own.negative_posts.change))}).</p>\n"
    )


def _topics(digest: Digest) -> str:
    if not digest.topics:
        return _note("No topic was found in the period's posts.")
    items = "".join(
        f'<li style="margin:0 0 10px 0"><b>{_e(t.topic)}</b> ({_e(t.brand)}): '
        f"{t.posts.current} posts ({_e(change_text(t.posts))}), {t.negative} negative"
        f"{_example(t.example, digest.timezone)}</li>"
        for t in digest.topics
    )
    return f'<ul style="margin:0;padding-left:20px;font-size:14px">{items}</ul>\n'


def _themes(digest: Digest) -> str:
    if not digest.themes:
        return _note("Nothing rose significantly.")
    items = "".join(
        f'<li style="margin:0 0 10px 0"><b>{_e(t.term)}</b>: {t.posts} posts '
        f"({t.previous_posts} before){_example(t.example, digest.timezone)}</li>"
        for t in digest.themes
    )
    return f'<ul style="margin:0;padding-left:20px;font-size:14px">{items}</ul>\n'


def _example(example: Excerpt | None, zone: str) -> str:
    if example is None:
        return ""
    link = (
        f' · <a href="{html.escape(example.url, quote=True)}" style="color:#3e7cb1">open</a>'
        if example.url
        else ""
    )
    return (
        f'<blockquote style="margin:4px 0 0 0;padding:4px 10px;border-left:3px solid {RULE};'
        f'color:{MUTED}">{_e(example.text)}<br><small>— {_e(example.author)} on '
        f"{_e(example.source)}, {_e(local_moment(example.published_at, zone))}{link}</small>"
        "</blockquote>"
    )


def _spikes(digest: Digest) -> str:
    if not digest.spikes:
        return _note("No spike alert.")
    items = "".join(
        f'<li style="margin:0 0 8px 0"><b>{_e(s.brand)}</b>, until '
        f"{_e(local_moment(s.window_end, digest.timezone))}: {_e(s.why)}</li>"
        for s in digest.spikes[:SPIKES_SHOWN]
    )
    more = len(digest.spikes) - SPIKES_SHOWN
    rest = f"<li>… and {more} more.</li>" if more > 0 else ""
    return f'<ul style="margin:0;padding-left:20px;font-size:14px">{items}{rest}</ul>\n'


def _care(care: Sequence[CareKpis]) -> str:
    if not care:
        return _note("No own brand in this digest.")
    parts = []
    for kpis in care:
        rows = [[_e(t.label), f"<b>{_e(t.value)}</b>", _e(t.detail)] for t in kpis.tiles]
        parts.append(
            f'<h3 style="margin:8px 0 0 0;font-size:14px">{_e(kpis.brand or "All brands")}</h3>'
        )
        parts.append(_table(["KPI", "Value", ""], rows))
    return "".join(parts)


def _note(text: str) -> str:
    return f'<p style="margin:0;color:{MUTED};font-size:14px">{_e(text)}</p>\n'
