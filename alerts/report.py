"""Render a :class:`~alerts.kpis.KpiReport` as a terminal table or a self-contained HTML page.

The page loads nothing and runs nothing: inline CSS, inline SVG charts, and a Content
Security Policy that forbids scripts. Every string that can come from data (brand, source,
team, title) is cleaned of control characters and HTML-escaped, in SVG text too; the
terminal table replaces control and bidi-override characters so data cannot drive the
terminal.
"""

from __future__ import annotations

import html
import math
import os
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alerts.kpis import DailySentiment, KpiReport, SentimentCounts, SourceVolume
from core import one_line

__all__ = [
    "RESPONSE_BINS",
    "care_tiles",
    "default_title",
    "format_duration",
    "format_share",
    "render_html",
    "render_table",
    "response_time_bins",
    "write_report",
]

NA = "n/a"
SENTIMENTS = ("negative", "neutral", "positive", "unlabelled")
COLOURS = {
    "negative": "#d64545",
    "neutral": "#9aa5b1",
    "positive": "#3f9c5a",
    "unlabelled": "#d9dee3",
}
BAR = "#3e7cb1"
RESPONSE_BINS: tuple[tuple[str, float], ...] = (
    ("< 15 min", 15 * 60),
    ("15–30 min", 30 * 60),
    ("30 min–1 h", 3600),
    ("1–2 h", 2 * 3600),
    ("2–4 h", 4 * 3600),
    ("4–8 h", 8 * 3600),
    ("8–24 h", 24 * 3600),
    ("≥ 24 h", math.inf),
)

# --- formatting ------------------------------------------------------------------------


def format_duration(seconds: float | None) -> str:
    """``"45 s"``, ``"12 min"``, ``"1 h 05 min"``, ``"2 d 03 h 00 min"``; ``"n/a"`` for None."""
    if seconds is None:
        return NA
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    days, minutes = divmod(round(seconds / 60), 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours:02d} h {minutes:02d} min"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def format_share(share: float | None) -> str:
    """``"83.3%"``; ``"n/a"`` for None."""
    return NA if share is None else f"{share * 100:.1f}%"


def _number(value: float | None, digits: int = 2, *, sign: bool = False) -> str:
    if value is None:
        return NA
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _moment(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} {at.tzname() or ''}".rstrip()


def _period(report: KpiReport) -> str:
    return f"{_moment(report.start)} to {_moment(report.end)} (end excluded)"


def default_title(report: KpiReport) -> str:
    """``"Kikimimi report: <brand>"`` (or all brands)."""
    return f"Kikimimi report: {report.brand or 'all brands'}"


def response_time_bins(samples: Sequence[float]) -> list[tuple[str, int]]:
    """First response times (seconds) counted into :data:`RESPONSE_BINS`."""
    counts = [0] * len(RESPONSE_BINS)
    for seconds in samples:
        index = next(i for i, (_, upper) in enumerate(RESPONSE_BINS) if seconds < upper)
        counts[index] += 1
    return [(label, count) for (label, _), count in zip(RESPONSE_BINS, counts, strict=True)]


def _care_rows(report: KpiReport) -> list[tuple[str, str, str]]:
    frt, aht, csat = report.first_response, report.handle_time, report.csat
    return [
        ("Cases opened", str(report.cases_opened), f"{report.cases_open} still open at end"),
        (
            "Response rate",
            format_share(report.response_rate),
            f"{report.cases_responded} of {report.cases_opened}",
        ),
        ("First response, mean", format_duration(frt.mean), f"{frt.count} responses"),
        ("First response, median", format_duration(frt.median), ""),
        ("First response, p90", format_duration(frt.p90), ""),
        ("Handle time, mean", format_duration(aht.mean), f"{aht.count} closed"),
        ("Handle time, median", format_duration(aht.median), ""),
        ("Handle time, p90", format_duration(aht.p90), ""),
        (
            "First contact resolution",
            format_share(report.first_contact_resolution),
            f"{report.fcr_count} of {report.cases_closed} closed",
        ),
        ("CSAT, mean", _number(csat.mean), f"{csat.count} scores (1–5)"),
        ("CSAT % (4–5)", format_share(csat.satisfied_share), ""),
        (
            "SLA breaches",
            str(report.sla_breaches),
            f"{format_share(report.sla_breach_rate)} of cases opened",
        ),
    ]


def _sentiment_row(name: str, counts: SentimentCounts) -> list[str]:
    return [
        name,
        str(counts.total),
        *(str(getattr(counts, label)) for label in SENTIMENTS),
        _number(counts.net, sign=True),
    ]


_SENTIMENT_HEADERS = ("Source", "Mentions", "Negative", "Neutral", "Positive", "Unlabelled", "Net")


# --- terminal --------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(
        0
        if unicodedata.combining(ch)
        else 2
        if unicodedata.east_asian_width(ch) in {"W", "F"}
        else 1
        for ch in text
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns: the first left, the others right unless ``Detail``."""
    if not rows:
        return ["  (none)"]
    cells = [[one_line(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = []
        for index, (cell, width) in enumerate(zip(row, widths, strict=True)):
            pad = " " * (width - _width(cell))
            left = index == 0 or headers[index] == "Detail"
            parts.append(cell + pad if left else pad + cell)
        return ("  " + "  ".join(parts)).rstrip()

    return [line(cells[0]), "  " + "  ".join("-" * width for width in widths)] + [
        line(row) for row in cells[1:]
    ]


def render_table(report: KpiReport) -> str:
    """The report as aligned plain-text tables for a terminal; every cell is one clean line
    (:func:`core.one_line`: source names and brands could carry escape sequences)."""
    mentions = [_sentiment_row(v.source, v.sentiment) for v in report.mentions_by_source]
    if mentions:
        mentions.append(_sentiment_row("Total", report.mentions))
    daily = [
        [f"{d.day:%Y-%m-%d}", str(d.sentiment.total)]
        + [str(getattr(d.sentiment, label)) for label in SENTIMENTS]
        for d in report.daily_mentions
    ]
    sections: list[tuple[str, list[str]]] = [
        ("Care", _table(("Metric", "Value", "Detail"), _care_rows(report))),
        ("Mentions by source", _table(_SENTIMENT_HEADERS, mentions)),
        ("Open cases by source", _table(("Source", "Open"), _pairs(report.open_by_source))),
        ("Cases by priority", _table(("Priority", "Cases"), _pairs(report.by_priority))),
        ("Cases by team", _table(("Team", "Cases"), _pairs(report.by_team))),
        ("Mentions by day", _table(("Day", "Mentions", *_titles(SENTIMENTS)), daily)),
    ]
    lines = [one_line(default_title(report)), one_line(_period(report))]
    for heading, table in sections:
        lines += ["", heading, *table]
    return "\n".join(lines) + "\n"


def _pairs(pairs: Sequence[tuple[str, int]]) -> list[list[str]]:
    return [[name, str(count)] for name, count in pairs]


def _titles(names: Sequence[str]) -> list[str]:
    return [name.capitalize() for name in names]


# --- HTML ------------------------------------------------------------------------------


def _e(text: object) -> str:
    """Escape ``text`` for HTML/SVG, replacing characters that XML does not allow."""
    clean = "".join(
        "\ufffd"
        if (unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\t\n\r") or ch in "\ufffe\uffff"
        else ch
        for ch in str(text)
    )
    return html.escape(clean, quote=True)


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` display columns (full-width characters take two)."""
    if _width(text) <= limit:
        return text
    text = text[: limit - 1]  # more never fits (zero-width marks aside)
    while _width(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def _f(value: float) -> str:
    return f"{value:.1f}"


def _scale(top: int) -> tuple[int, int]:
    """A round axis maximum of at least ``top`` and its tick step (about four ticks)."""
    if top <= 0:
        return 1, 1
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    whole = max(1, math.ceil(step))
    return math.ceil(top / whole) * whole, whole


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(label)}"><title>{_e(label)}</title>'
    )


def _svg_empty(label: str) -> str:
    return (
        _svg_open(760, 60, label)
        + '<text x="380" y="34" text-anchor="middle">No data in this period</text></svg>'
    )


@dataclass(frozen=True)
class _Plot:
    """A vertical-bar chart's frame: size, margins, and a y axis from 0 to ``ymax``."""

    height: int
    ymax: int
    step: int
    width: int = 760
    left: int = 48
    right: int = 12
    top: int = 18
    bottom: int = 36

    @property
    def baseline(self) -> float:
        return float(self.height - self.bottom)

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    def h(self, count: int) -> float:
        """The height of a bar of ``count``."""
        return count / self.ymax * (self.height - self.top - self.bottom)

    def axis(self) -> str:
        """Gridlines and tick labels."""
        parts = []
        for tick in range(0, self.ymax + 1, self.step):
            y = _f(self.baseline - self.h(tick))
            parts.append(
                f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{y}" y2="{y}" '
                f'stroke="#e4e7eb"/><text x="{self.left - 6}" y="{y}" dy="4" '
                f'text-anchor="end">{tick}</text>'
            )
        return "".join(parts)

    def x_label(self, x: float, text: str) -> str:
        """A label under the bars, centred on ``x`` (``text`` must be escaped)."""
        return f'<text x="{_f(x)}" y="{_f(self.baseline + 16)}" text-anchor="middle">{text}</text>'


def _svg_daily(days: Sequence[DailySentiment]) -> str:
    """Stacked bars of daily mentions by sentiment."""
    label = "Mentions per day by sentiment"
    if not any(day.sentiment.total for day in days):
        return _svg_empty(label)
    plot = _Plot(280, *_scale(max(day.sentiment.total for day in days)))
    band = plot.plot_w / len(days)
    bar = max(band * 0.8, 1.0)
    every = max(1, math.ceil(len(days) / 10))
    parts = [_svg_open(plot.width, plot.height, label), plot.axis()]
    for index, day in enumerate(days):
        x = plot.left + index * band + (band - bar) / 2
        base = plot.baseline
        for name in SENTIMENTS:
            count: int = getattr(day.sentiment, name)
            if not count:
                continue
            base -= plot.h(count)
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(base)}" width="{_f(bar)}" height="{_f(plot.h(count))}" '
                f'fill="{COLOURS[name]}"><title>{day.day:%Y-%m-%d} {name}: {count}</title></rect>'
            )
        if index % every == 0:
            parts.append(plot.x_label(x + bar / 2, f"{day.day:%m-%d}"))
    parts.append("</svg>")
    return "".join(parts)


def _svg_sources(volumes: Sequence[SourceVolume]) -> str:
    """Horizontal bars of mention volume by source, split by sentiment."""
    label = "Mention volume by source"
    if not volumes or not any(v.sentiment.total for v in volumes):
        return _svg_empty(label)
    width, left, right, top, row = 760, 150, 60, 8, 26
    height = top * 2 + row * len(volumes)
    plot_w = width - left - right
    ymax, _ = _scale(max(v.sentiment.total for v in volumes))
    parts = [_svg_open(width, height, label)]
    for index, volume in enumerate(volumes):
        y = top + index * row
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">'
            f"<title>{_e(volume.source)}</title>{_e(_truncate(volume.source, 22))}</text>"
        )
        x = float(left)
        for name in SENTIMENTS:
            count: int = getattr(volume.sentiment, name)
            if not count:
                continue
            w = count / ymax * plot_w
            parts.append(
                f'<rect x="{_f(x)}" y="{y + 4}" width="{_f(w)}" height="{row - 8}" '
                f'fill="{COLOURS[name]}"><title>{_e(volume.source)} {name}: {count}</title></rect>'
            )
            x += w
        parts.append(f'<text x="{_f(x + 6)}" y="{y + 17}">{volume.sentiment.total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_histogram(samples: Sequence[float]) -> str:
    """Histogram of first response times."""
    label = "First response time histogram"
    if not samples:
        return _svg_empty(label)
    bins = response_time_bins(samples)
    plot = _Plot(240, *_scale(max(count for _, count in bins)))
    band = plot.plot_w / len(bins)
    parts = [_svg_open(plot.width, plot.height, label), plot.axis()]
    for index, (name, count) in enumerate(bins):
        x = plot.left + index * band + band * 0.1
        y = plot.baseline - plot.h(count)
        centre = x + band * 0.4
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(band * 0.8)}" '
            f'height="{_f(plot.h(count))}" fill="{BAR}"><title>{_e(name)}: {count}</title></rect>'
            f'<text x="{_f(centre)}" y="{_f(y - 4)}" text-anchor="middle">{count}</text>'
            + plot.x_label(centre, _e(name))
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return '<p class="none">None in this period.</p>'

    def cls(index: int) -> str:
        return "" if index == 0 or headers[index] == "Detail" else ' class="num"'

    head = "".join(f"<th{cls(i)}>{_e(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{_e(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def care_tiles(report: KpiReport) -> list[tuple[str, str, str]]:
    """The case KPIs as tiles (label, value, detail), as the HTML report and the web app's
    dashboard show them."""
    frt, aht, csat = report.first_response, report.handle_time, report.csat
    return [
        ("Cases opened", str(report.cases_opened), f"{report.cases_open} still open"),
        (
            "Response rate",
            format_share(report.response_rate),
            f"{report.cases_responded} of {report.cases_opened}",
        ),
        (
            "First response (median)",
            format_duration(frt.median),
            f"mean {format_duration(frt.mean)} · p90 {format_duration(frt.p90)}",
        ),
        (
            "Handle time (mean)",
            format_duration(aht.mean),
            f"median {format_duration(aht.median)} · {aht.count} closed",
        ),
        (
            "First contact resolution",
            format_share(report.first_contact_resolution),
            f"{report.fcr_count} of {report.cases_closed} closed",
        ),
        (
            "CSAT",
            format_share(csat.satisfied_share),
            f"mean {_number(csat.mean)} / 5 · {csat.count} scores",
        ),
        (
            "SLA breaches",
            str(report.sla_breaches),
            f"{format_share(report.sla_breach_rate)} of cases",
        ),
    ]


def _tiles(report: KpiReport) -> str:
    mentions = report.mentions
    tiles = [
        ("Mentions", str(mentions.total), f"{format_share(mentions.negative_share)} negative"),
        ("Net sentiment", _number(mentions.net, sign=True), "(positive − negative) / labelled"),
        *care_tiles(report),
    ]
    return (
        '<div class="tiles">'
        + "".join(
            f'<div class="tile"><div class="label">{_e(label)}</div>'
            f'<div class="value">{_e(value)}</div><div class="sub">{_e(sub)}</div></div>'
            for label, value, sub in tiles
        )
        + "</div>"
    )


def _legend() -> str:
    return (
        '<p class="legend">'
        + "".join(
            f'<span><i style="background:{COLOURS[name]}"></i>{name}</span>' for name in SENTIMENTS
        )
        + "</p>"
    )


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;
margin:24px auto;max-width:1040px;padding:0 16px;line-height:1.4}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.1rem;margin:28px 0 8px}
.period{color:#616e7c;margin:0 0 20px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px}
.tile{border:1px solid #e4e7eb;border-radius:8px;padding:12px 14px;background:#f9fafb}
.tile .label{font-size:.75rem;color:#616e7c;text-transform:uppercase;letter-spacing:.03em}
.tile .value{font-size:1.6rem;font-weight:600;margin:2px 0}
.tile .sub{font-size:.8rem;color:#7b8794}
.row{display:flex;flex-wrap:wrap;gap:32px}
table{border-collapse:collapse;margin:8px 0 16px}
th,td{padding:4px 12px;border-bottom:1px solid #e4e7eb;text-align:left}
th{font-weight:600;color:#52606d}
.num{text-align:right;font-variant-numeric:tabular-nums}
svg{max-width:100%;height:auto;font-size:11px}svg text{fill:#3e4c59}
.legend span{margin-right:14px;font-size:.85rem}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.none,footer{color:#7b8794}footer{margin-top:32px;font-size:.8rem}
"""


def render_html(report: KpiReport, title: str | None = None) -> str:
    """A self-contained HTML page: KPI tiles, tables and inline SVG charts."""
    title = default_title(report) if title is None else title
    mentions = [_sentiment_row(v.source, v.sentiment) for v in report.mentions_by_source]
    if mentions:
        mentions.append(_sentiment_row("Total", report.mentions))
    small = [
        ("Open cases by source", ("Source", "Open"), report.open_by_source),
        ("Cases by priority", ("Priority", "Cases"), report.by_priority),
        ("Cases by team", ("Team", "Cases"), report.by_team),
    ]
    return "".join(
        [
            "<!DOCTYPE html>\n",
            '<html lang="en"><head><meta charset="utf-8"/>',
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\"/>",
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
            f'<h1>{_e(title)}</h1><p class="period">{_e(_period(report))}</p>',
            _tiles(report),
            "<h2>Mentions per day</h2>",
            _legend(),
            _svg_daily(report.daily_mentions),
            "<h2>Mentions by source</h2>",
            _svg_sources(report.mentions_by_source),
            _html_table(_SENTIMENT_HEADERS, mentions),
            "<h2>First response time</h2>",
            _svg_histogram(report.first_response_samples),
            "<h2>Care</h2>",
            _html_table(("Metric", "Value", "Detail"), _care_rows(report)),
            '<div class="row">',
            *(
                f"<section><h2>{_e(heading)}</h2>{_html_table(headers, _pairs(pairs))}</section>"
                for heading, headers, pairs in small
            ),
            "</div>",
            "<footer>Case figures are computed from case timestamps and history as they stood"
            " at the end of the period. Generated by Kikimimi.</footer>",
            "</body></html>\n",
        ]
    )


def write_report(
    report: KpiReport, path: str | os.PathLike[str], *, title: str | None = None
) -> Path:
    """Write :func:`render_html` to ``path`` atomically (synced temporary file, rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = render_html(report, title)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(page)
            out.flush()
            os.fsync(out.fileno())
        temporary.chmod(0o644)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
