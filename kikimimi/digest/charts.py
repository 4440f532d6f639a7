"""The digest's charts as PNG pictures (:mod:`.raster`), drawn on the server.

PNG, not SVG: Gmail, Outlook and many other mail clients drop inline SVG, while a PNG sent
inside the mail (``cid:``) shows everywhere images are allowed. The pictures hold no text
(no fonts needed, nothing from the posts drawn): every figure is also in the table next to
its chart, and each chart has a description for its ``alt`` text, so a reader whose client
blocks images loses nothing.

- volume: posts per day, one line per brand, on a scale of four round steps;
- share of voice: a bar of all posts and one of the negative posts, split by brand;
- net sentiment: per brand, a bar from the centre (-1 left, +1 right) for this period and
  a thin grey one for the previous.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kikimimi.digest.formatting import percent, signed
from kikimimi.digest.raster import Canvas, colour
from kikimimi.digest.records import Digest

__all__ = [
    "BRAND_COLOURS",
    "Chart",
    "brand_colour",
    "digest_charts",
    "scale_step",
    "sentiment_chart",
    "share_chart",
    "volume_chart",
]

WIDTH = 600
BRAND_COLOURS = (
    "#3e7cb1",
    "#e07b39",
    "#3f9c5a",
    "#8e6bbf",
    "#c9a227",
    "#2bb3b1",
    "#b5527f",
    "#6b7b8c",
    "#7d9c3a",
    "#d64545",
)
GRID = colour("#e3e7eb")
AXIS = colour("#9aa5b1")
PREVIOUS = colour("#c4cbd3")
POSITIVE = colour("#3f9c5a")
NEGATIVE = colour("#d64545")


@dataclass(frozen=True)
class Chart:
    """A PNG chart: its ``name`` (also its file and content id), size, how to read it
    (``legend``, shown under it) and what it shows (``description``, its ``alt`` text)."""

    name: str
    png: bytes
    width: int
    height: int
    legend: str
    description: str


def brand_colour(index: int) -> str:
    """The colour of the ``index``-th brand of a digest (the own brand first)."""
    return BRAND_COLOURS[index % len(BRAND_COLOURS)]


def scale_step(top: int) -> int:
    """The gridline step of a chart whose highest value is ``top``: a round number (1, 2 or
    5 times a power of ten) at least a quarter of it, so four steps cover it."""
    quarter = max(top, 1) / 4
    power = 10 ** math.floor(math.log10(quarter)) if quarter >= 1 else 1
    return next(m * power for m in (1, 2, 5, 10) if m * power >= quarter)


def volume_chart(digest: Digest) -> Chart:
    """Posts per day, one line per brand (the own brand drawn last, on top)."""
    height, pad = 200, 12
    canvas = Canvas(WIDTH, height)
    step = scale_step(max((n for b in digest.brands for n in b.daily), default=0))
    top, bottom = pad, height - pad
    for grid in range(5):
        y = bottom - (bottom - top) * grid / 4
        canvas.rectangle(pad, y, WIDTH - pad, y + 1, AXIS if grid == 0 else GRID)
    days = max(len(digest.days), 1)
    slot = (WIDTH - 2 * pad) / days
    for index in reversed(range(len(digest.brands))):
        points = [
            (pad + slot * (day + 0.5), bottom - (bottom - top) * count / (4 * step))
            for day, count in enumerate(digest.brands[index].daily)
        ]
        if not points:
            continue
        ink = colour(brand_colour(index))
        canvas.line(points, ink, width=3)
        for x, y in points:
            canvas.rectangle(x - 4, y - 4, x + 4, y + 4, ink)
    brands = ", ".join(f"{b.brand} {sum(b.daily)}" for b in digest.brands)
    description = (
        f"Posts per day over {len(digest.days)} days, one line per brand (gridlines every "
        f"{step} posts): {brands} posts in all."
    )
    legend = f"Posts per day, one line per brand; gridlines every {step} posts."
    return Chart("volume", canvas.png(), WIDTH, height, legend, description)


def share_chart(digest: Digest) -> Chart:
    """Two bars split by brand: the share of all posts, and of the negative posts."""
    height, pad, bar = 100, 10, 32
    canvas = Canvas(WIDTH, height)
    rows = (
        ("all posts", [b.share.all_posts.share for b in digest.brands]),
        ("negative posts", [b.share.negative_posts.share for b in digest.brands]),
    )
    for row, (_, shares) in enumerate(rows):
        top = pad + row * (bar + 16)
        left = float(pad)
        canvas.rectangle(pad, top, WIDTH - pad, top + bar, GRID)
        for index, share in enumerate(shares):
            right = left + (WIDTH - 2 * pad) * (share or 0.0)
            canvas.rectangle(left, top, right, top + bar, colour(brand_colour(index)))
            left = right
    parts = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{b.brand} {percent(share)}" for b, share in zip(digest.brands, shares, strict=True)
        )
        for name, shares in rows
    )
    legend = "Top bar: all posts; bottom bar: negative posts; each split by brand."
    return Chart("share", canvas.png(), WIDTH, height, legend, f"Share of voice. {parts}.")


def sentiment_chart(digest: Digest) -> Chart:
    """Per brand, net sentiment from the centre line: this period's bar (green above zero,
    red below) and the previous period's thin grey one under it."""
    row, pad = 34, 8
    height = max(len(digest.brands), 1) * row + 2 * pad
    canvas = Canvas(WIDTH, height)
    centre, reach = WIDTH / 2, WIDTH / 2 - pad
    for index, brand in enumerate(digest.brands):
        top = pad + index * row
        canvas.rectangle(pad, top + row - 2, WIDTH - pad, top + row - 1, GRID)
        if brand.net is not None:
            ink = POSITIVE if brand.net >= 0 else NEGATIVE
            canvas.rectangle(centre, top + 4, centre + reach * brand.net, top + 18, ink)
        if brand.previous_net is not None:
            canvas.rectangle(
                centre, top + 21, centre + reach * brand.previous_net, top + 26, PREVIOUS
            )
    canvas.rectangle(centre - 1, pad, centre + 1, height - pad, AXIS)
    nets = ", ".join(
        f"{b.brand} {signed(b.net)} (before {signed(b.previous_net)})" for b in digest.brands
    )
    description = f"Net sentiment, from -1 (left) to +1 (right): {nets}."
    legend = (
        "One row per brand, in the table's order: net sentiment from -1 (left) to +1 (right) "
        "of the centre line; the thin grey bar is the period before."
    )
    return Chart("sentiment", canvas.png(), WIDTH, height, legend, description)


def digest_charts(digest: Digest) -> list[Chart]:
    """The digest's charts, in the order the e-mail shows them."""
    return [volume_chart(digest), sentiment_chart(digest), share_chart(digest)]
