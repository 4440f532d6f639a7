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

Embeddings come from a :class:`nlp.CachedThemeEncoder`: ``kikimimi run`` embeds new posts
ahead of time (:mod:`kikimimi.emerging_warmup`, through :func:`unembedded_posts`), so a request
mostly reads them. With ``embed_limit``, a request embeds at most that many posts the cache
lacks (this period's newest first, then the previous one's); the others are left out of this
answer and counted as ``pending`` (``previous_pending``), so that a cold cache never makes a
request slow without bound.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from elasticsearch import Elasticsearch
from pydantic import BaseModel, ConfigDict

from core import IndexedMention, IndexNames
from indexer import BUCKET_LENGTH, UNTOPICKED_LIMIT, Bucket, CountPoint, untopicked_negatives
from nlp import NO_THEME, CachedThemeEncoder, analysed_text, find_themes, theme_inputs

EXAMPLES = 3


class ThemeRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmergingTheme(ThemeRecord):
    """Posts that say the same thing. ``terms``: the words that set them apart, most
    distinctive first; ``size``: its posts in the period; ``previous_size``: posts of the
    previous period close to it; ``buckets``: its posts over the period; ``examples``: its
    most typical posts; ``mention_ids``: all its posts, most typical first."""

    terms: list[str]
    size: int
    previous_size: int
    buckets: list[CountPoint]
    examples: list[IndexedMention]
    mention_ids: list[str]


class EmergingThemes(ThemeRecord):
    """The themes of [start, end), largest first, against [previous_start, start).
    ``total``: negative posts without a topic in the period; ``sampled``: the newest of them
    that were grouped; ``pending``: newer ones left out because they are not embedded yet
    (``previous_*``: the same for the previous period)."""

    start: datetime
    end: datetime
    previous_start: datetime
    bucket: Bucket
    total: int
    sampled: int
    pending: int
    previous_total: int
    previous_sampled: int
    previous_pending: int
    themes: list[EmergingTheme]


@dataclass(frozen=True)
class _Posts:
    """A period's newest negative posts without a topic, their texts and encoder inputs, and
    how many such posts there are in all."""

    mentions: list[IndexedMention]
    texts: list[str]
    inputs: list[str]
    total: int

    def without(self, rows: Collection[int]) -> _Posts:
        kept = [row for row in range(len(self.mentions)) if row not in rows]
        return _Posts(
            [self.mentions[row] for row in kept],
            [self.texts[row] for row in kept],
            [self.inputs[row] for row in kept],
            self.total,
        )


def emerging_themes(
    client: Elasticsearch,
    names: IndexNames,
    encoder: CachedThemeEncoder,
    *,
    start: datetime,
    end: datetime,
    brands: Collection[str] | None = None,
    bucket: Bucket = "day",
    excluded_names: Iterable[str] = (),
    limit: int = UNTOPICKED_LIMIT,
    embed_limit: int | None = None,
) -> EmergingThemes:
    """The emerging themes among the negative posts about ``brands`` (``None``: any brand or
    none) without a topic, published in [start, end). ``excluded_names`` (see
    :meth:`config.Settings.brand_words`) are taken out of the posts before they are
    compared, and never name a theme. ``embed_limit``: the most posts missing from the
    encoder's cache to embed (``None``: all of them)."""
    excluded = list(excluded_names)
    previous_start = start - (end - start)
    current, previous = _read_both(
        client, names, start=start, end=end, brands=brands, excluded=excluded, limit=limit
    )
    missing = encoder.uncached(current.inputs + previous.inputs)
    pending = set() if embed_limit is None else set(missing[embed_limit:])
    first_previous = len(current.mentions)
    grouped = current.without({row for row in pending if row < first_previous})
    compared = previous.without({row - first_previous for row in pending if row >= first_previous})
    found = find_themes(grouped.texts, encoder, excluded_names=excluded)
    previous_counts = [0] * len(found.themes)
    for theme in found.assign(compared.texts):
        if theme != NO_THEME:
            previous_counts[theme] += 1
    themes = [
        EmergingTheme(
            terms=list(theme.terms),
            size=len(theme.members),
            previous_size=previous_count,
            buckets=_buckets([grouped.mentions[row] for row in theme.members], start, end, bucket),
            examples=[grouped.mentions[row] for row in theme.members[:EXAMPLES]],
            mention_ids=[grouped.mentions[row].id for row in theme.members],
        )
        for theme, previous_count in zip(found.themes, previous_counts, strict=True)
    ]
    return EmergingThemes(
        start=start,
        end=end,
        previous_start=previous_start,
        bucket=bucket,
        total=current.total,
        sampled=len(grouped.mentions),
        pending=len(current.mentions) - len(grouped.mentions),
        previous_total=previous.total,
        previous_sampled=len(compared.mentions),
        previous_pending=len(previous.mentions) - len(compared.mentions),
        themes=themes,
    )


def unembedded_posts(
    client: Elasticsearch,
    names: IndexNames,
    encoder: CachedThemeEncoder,
    *,
    start: datetime,
    end: datetime,
    brands: Collection[str] | None = None,
    excluded_names: Iterable[str] = (),
    limit: int = UNTOPICKED_LIMIT,
) -> list[str]:
    """The encoder inputs that :func:`emerging_themes` with these arguments would have to
    embed, in the order it would embed them: :meth:`nlp.CachedThemeEncoder.encode` them and
    it reads them from the cache."""
    current, previous = _read_both(
        client,
        names,
        start=start,
        end=end,
        brands=brands,
        excluded=list(excluded_names),
        limit=limit,
    )
    inputs = current.inputs + previous.inputs
    return [inputs[row] for row in encoder.uncached(inputs)]


def _read_both(
    client: Elasticsearch,
    names: IndexNames,
    *,
    start: datetime,
    end: datetime,
    brands: Collection[str] | None,
    excluded: list[str],
    limit: int,
) -> tuple[_Posts, _Posts]:
    """The posts of [start, end) and of the previous period."""
    read = []
    for since, until in ((start, end), (start - (end - start), start)):
        found = untopicked_negatives(
            client, names, start=since, end=until, brands=brands, limit=limit
        )
        texts = [analysed_text(mention) for mention in found.mentions]
        read.append(_Posts(found.mentions, texts, theme_inputs(texts, excluded), found.total))
    return read[0], read[1]


def _buckets(
    mentions: list[IndexedMention], start: datetime, end: datetime, bucket: Bucket
) -> list[CountPoint]:
    length = BUCKET_LENGTH[bucket]
    counts = [0] * max(math.ceil((end - start) / length), 0)
    for mention in mentions:
        counts[(mention.published_at - start) // length] += 1
    return [CountPoint(at=start + index * length, count=n) for index, n in enumerate(counts)]
