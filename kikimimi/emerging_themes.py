"""Emerging themes nobody configured: a period's negative posts that no topic covers, grouped
by what they say (:func:`nlp.find_themes`), each named by its most distinctive words, with its
size, its posts per bucket, its size in the previous period and example posts.

Unlike the other trend figures these are not Elasticsearch aggregations: the groups exist only
once the posts are embedded. So the newest ``limit`` such posts of the period are read
(:func:`indexer.untopicked_negatives`; ``sampled`` below ``total`` says older ones were left
out), embedded and grouped here. The previous period (of the same length, just before) forms
no themes of its own: its posts, read the same way, count for the theme whose centroid is
nearest, when close enough (:meth:`nlp.ThemeSet.assign`), as the period's own posts do.
Buckets start at the period's start (an hour, a day or a week from it), as the trends
aggregations' buckets do. Post texts are kept as posted: whoever shows them escapes them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Literal

from elasticsearch import Elasticsearch
from pydantic import BaseModel, ConfigDict

from config import Settings
from core import IndexedMention, IndexNames
from indexer import UNTOPICKED_LIMIT, untopicked_negatives
from nlp import NO_THEME, ThemeEncoder, analysed_text, find_themes

Bucket = Literal["hour", "day", "week"]
BUCKET_LENGTH: dict[Bucket, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
EXAMPLES = 3


class ThemeRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThemeBucket(ThemeRecord):
    """A theme's posts published in the bucket starting ``at``."""

    at: datetime
    count: int


class EmergingTheme(ThemeRecord):
    """Posts that say the same thing. ``terms``: the words that set them apart, most
    distinctive first; ``size``: its posts in the period; ``previous_size``: posts of the
    previous period close to it; ``buckets``: its posts over the period; ``examples``: its
    most typical posts; ``mention_ids``: all its posts, most typical first."""

    terms: list[str]
    size: int
    previous_size: int
    buckets: list[ThemeBucket]
    examples: list[IndexedMention]
    mention_ids: list[str]


class EmergingThemes(ThemeRecord):
    """The themes of [start, end), largest first, against [previous_start, start).
    ``total``: negative posts without a topic in the period; ``sampled``: the newest of them
    that were grouped (``previous_*``: the same for the previous period)."""

    start: datetime
    end: datetime
    previous_start: datetime
    bucket: Bucket
    total: int
    sampled: int
    previous_total: int
    previous_sampled: int
    themes: list[EmergingTheme]


def emerging_themes(
    client: Elasticsearch,
    names: IndexNames,
    encoder: ThemeEncoder,
    *,
    start: datetime,
    end: datetime,
    brands: Collection[str] | None = None,
    bucket: Bucket = "day",
    excluded_names: Iterable[str] = (),
    limit: int = UNTOPICKED_LIMIT,
) -> EmergingThemes:
    """The emerging themes among the negative posts about ``brands`` (``None``: any brand or
    none) without a topic, published in [start, end). ``excluded_names`` (see
    :func:`brand_names`) are taken out of the posts before they are compared, and never name
    a theme."""
    previous_start = start - (end - start)
    current = untopicked_negatives(client, names, start=start, end=end, brands=brands, limit=limit)
    previous = untopicked_negatives(
        client, names, start=previous_start, end=start, brands=brands, limit=limit
    )
    texts = [analysed_text(mention) for mention in current.mentions]
    found = find_themes(texts, encoder, excluded_names=excluded_names)
    previous_counts = [0] * len(found.themes)
    previous_texts = [analysed_text(mention) for mention in previous.mentions]
    for theme in found.assign(previous_texts):
        if theme != NO_THEME:
            previous_counts[theme] += 1
    themes = [
        EmergingTheme(
            terms=list(theme.terms),
            size=len(theme.members),
            previous_size=previous_count,
            buckets=_buckets([current.mentions[row] for row in theme.members], start, end, bucket),
            examples=[current.mentions[row] for row in theme.members[:EXAMPLES]],
            mention_ids=[current.mentions[row].id for row in theme.members],
        )
        for theme, previous_count in zip(found.themes, previous_counts, strict=True)
    ]
    return EmergingThemes(
        start=start,
        end=end,
        previous_start=previous_start,
        bucket=bucket,
        total=current.total,
        sampled=len(current.mentions),
        previous_total=previous.total,
        previous_sampled=len(previous.mentions),
        themes=themes,
    )


def brand_names(settings: Settings) -> list[str]:
    """Every configured brand's and competitor's name, aliases and handles (without ``@``):
    the words that must not name a theme."""
    return [
        term
        for brand in [*settings.brands, *settings.competitors]
        for term in [*brand.terms, *(handle.lstrip("@") for handle in brand.handles)]
    ]


def _buckets(
    mentions: list[IndexedMention], start: datetime, end: datetime, bucket: Bucket
) -> list[ThemeBucket]:
    length = BUCKET_LENGTH[bucket]
    counts = [0] * max(math.ceil((end - start) / length), 0)
    for mention in mentions:
        counts[(mention.published_at - start) // length] += 1
    return [ThemeBucket(at=start + index * length, count=n) for index, n in enumerate(counts)]
