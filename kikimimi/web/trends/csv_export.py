"""The trends as CSV downloads (``?format=csv``): one header row, then one row per figure.

UTF-8 with a byte-order mark, so that spreadsheets open Japanese text as such. Text that
comes from posts (topics, terms, handles, names) is data, never a formula: a cell that would
start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from fastapi import Response

from indexer import (
    NetSentiment,
    Period,
    SentimentCounts,
    Share,
    ShareOfVoice,
    TopAuthors,
    TopicsTrend,
    TopSources,
    VoiceShares,
    VolumeTrend,
)
from kikimimi.web.trends.views import EmergingThemesView, ThemesView

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Table = tuple[Sequence[str], Iterable[Sequence[object]]]
COUNTS = ("total", "positive", "neutral", "negative", "unlabelled")


def cell(value: object) -> object:
    """A value as the CSV writes it: numbers as they are, times in ISO 8601, text inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_response(name: str, period: Period, table: Table) -> Response:
    """``table`` as a CSV attachment named after the trend and its period."""
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    filename = f"kikimimi-{name}-{_stamp(period.start)}-{_stamp(period.end)}.csv"
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def volume_table(trend: VolumeTrend) -> Table:
    """Each brand's buckets, this period's and the previous one's, by sentiment."""
    rows = [
        (brand.brand, brand.role, period, point.at, *_counts(point.counts))
        for brand in trend.brands
        for period, series in (("current", brand.series), ("previous", brand.previous_series))
        for point in series
    ]
    return ("brand", "role", "period", "bucket_start", *COUNTS), rows


def share_table(voice: ShareOfVoice) -> Table:
    """Each brand's share of voice, then all our brands' and all the competitors'."""
    sides: list[tuple[str, str, VoiceShares]] = [(b.brand, b.role, b) for b in voice.brands]
    sides += [
        ("all own brands", "own", voice.own),
        ("all competitors", "competitor", voice.competitors),
    ]
    header = ["brand", "role"]
    for kind in ("", "negative_"):
        header += [f"{kind}posts", f"{kind}share", f"previous_{kind}posts"]
        header += [f"previous_{kind}share", f"{kind}share_change"]
    rows = [
        (name, role, *_share(shares.all_posts), *_share(shares.negative_posts))
        for name, role, shares in sides
    ]
    return header, rows


def sentiment_table(sentiment: NetSentiment) -> Table:
    """Each brand's posts by sentiment and net sentiment, now and before."""
    header = ("brand", "role", *COUNTS, "net", "previous_total", "previous_net", "net_change")
    rows = [
        (b.brand, b.role, *_counts(b.current), b.net, b.previous.total, b.previous_net, b.change)
        for b in sentiment.brands
    ]
    return header, rows


def topics_table(topics: TopicsTrend) -> Table:
    """Each brand's topics, bucket by bucket."""
    rows = [
        (brand.brand, brand.role, topic.topic, point.at, point.count)
        for brand in topics.brands
        for topic in brand.topics
        for point in topic.series
    ]
    return ("brand", "role", "topic", "bucket_start", "posts"), rows


def themes_table(themes: ThemesView) -> Table:
    """The rising themes, most significant first."""
    rows = [(t.term, t.key, t.score, t.posts, t.previous_posts) for t in themes.themes]
    return ("term", "key", "score", "posts", "previous_posts"), rows


def emerging_table(emerging: EmergingThemesView) -> Table:
    """The emerging themes, largest first: their terms (most distinctive first), their posts
    now and before."""
    rows = [
        (", ".join(t.terms), t.size, t.previous_size, t.size - t.previous_size)
        for t in emerging.themes
    ]
    return ("terms", "size", "previous_size", "change"), rows


def sources_table(sources: TopSources) -> Table:
    header = ("source", "posts", "previous_posts", "change", "change_ratio", "negative_posts")
    rows = [
        (
            s.source,
            s.change.current,
            s.change.previous,
            s.change.difference,
            s.change.ratio,
            s.negative,
        )
        for s in sources.sources
    ]
    return header, rows


def authors_table(authors: TopAuthors) -> Table:
    header = ("source", "handle", "name", "verified", "followers", "posts", "reach")
    rows = [
        (a.source, a.handle, a.name, a.verified, a.followers, a.posts, a.reach)
        for a in authors.authors
    ]
    return header, rows


def _counts(counts: SentimentCounts) -> tuple[int, ...]:
    return (counts.total, counts.positive, counts.neutral, counts.negative, counts.unlabelled)


def _share(share: Share) -> tuple[object, ...]:
    return (share.posts, share.share, share.previous_posts, share.previous_share, share.change)


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%MZ}"
