"""Brand health: volume and sentiment over time, share of voice and net sentiment, each
brand against the previous period — three readings of one aggregation (per brand, per
period, per sentiment label, optionally per bucket)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from core import IndexNames, elasticsearch_errors
from indexer.trends.aggregate import (
    LABELS,
    Aggregations,
    aggregate,
    period_of,
    sentiment_counts,
    volume_series,
)
from indexer.trends.records import (
    BrandSentiment,
    BrandShare,
    BrandVolume,
    NetSentiment,
    SentimentCounts,
    Share,
    ShareOfVoice,
    VoiceShares,
    VolumePoint,
    VolumeTrend,
    change,
)
from indexer.trends.scope import TrendBrand, TrendScope, published_between


@dataclass(frozen=True)
class _BrandCounts:
    brand: TrendBrand
    current: SentimentCounts
    previous: SentimentCounts
    series: list[VolumePoint]
    previous_series: list[VolumePoint]


@elasticsearch_errors("compute the brands' volume trend")
def volume_trend(client: Elasticsearch, names: IndexNames, scope: TrendScope) -> VolumeTrend:
    """Each brand's posts by sentiment, in total and per bucket, now and before."""
    brands = [
        BrandVolume(
            brand=counts.brand.name,
            role=counts.brand.role,
            current=counts.current,
            previous=counts.previous,
            change=change(counts.current.total, counts.previous.total),
            series=counts.series,
            previous_series=counts.previous_series,
        )
        for counts in _brand_counts(client, names, scope, series=True)
    ]
    return VolumeTrend(period=period_of(scope), brands=brands)


@elasticsearch_errors("compute the share of voice")
def share_of_voice(client: Elasticsearch, names: IndexNames, scope: TrendScope) -> ShareOfVoice:
    """Each brand's share of the brands' posts, of all and of the negative ones, and our
    brands' share against the competitors', now and before."""
    counts = _brand_counts(client, names, scope, series=False)
    return ShareOfVoice(
        period=period_of(scope),
        brands=[
            BrandShare(brand=c.brand.name, role=c.brand.role, **_shares(counts, [c]))
            for c in counts
        ],
        own=VoiceShares(**_shares(counts, [c for c in counts if c.brand.role == "own"])),
        competitors=VoiceShares(
            **_shares(counts, [c for c in counts if c.brand.role == "competitor"])
        ),
    )


@elasticsearch_errors("compute the net sentiment")
def net_sentiment(client: Elasticsearch, names: IndexNames, scope: TrendScope) -> NetSentiment:
    """Each brand's (positive - negative) / total, now and before."""
    brands = []
    for counts in _brand_counts(client, names, scope, series=False):
        now, before = counts.current.net, counts.previous.net
        brands.append(
            BrandSentiment(
                brand=counts.brand.name,
                role=counts.brand.role,
                current=counts.current,
                previous=counts.previous,
                net=now,
                previous_net=before,
                change=None if now is None or before is None else now - before,
            )
        )
    return NetSentiment(period=period_of(scope), brands=brands)


def _brand_counts(
    client: Elasticsearch, names: IndexNames, scope: TrendScope, *, series: bool
) -> list[_BrandCounts]:
    def period(start: datetime, end: datetime) -> dict[str, Any]:
        inner: dict[str, Any] = {"labels": LABELS}
        if series:
            inner["series"] = {**scope.histogram(start), "aggs": {"labels": LABELS}}
        return {"filter": published_between(start, end), "aggs": inner}

    found = aggregate(
        client,
        names,
        scope.both_periods(),
        {
            "brands": {
                **scope.brand_buckets(),
                "aggs": {
                    "current": period(scope.start, scope.end),
                    "previous": period(scope.previous_start, scope.start),
                },
            }
        },
    )
    buckets: Aggregations = found.get("brands", {}).get("buckets", {})
    result = []
    for brand in scope.brands:
        bucket = buckets.get(brand.name, {})
        current, previous = bucket.get("current"), bucket.get("previous")
        result.append(
            _BrandCounts(
                brand=brand,
                current=sentiment_counts(current),
                previous=sentiment_counts(previous),
                series=volume_series((current or {}).get("series")),
                previous_series=volume_series((previous or {}).get("series")),
            )
        )
    return result


def _shares(every: list[_BrandCounts], chosen: list[_BrandCounts]) -> dict[str, Share]:
    """The shares of the ``chosen`` brands among ``every`` brand, of all posts and of the
    negative ones."""

    def share(count: Callable[[SentimentCounts], int]) -> Share:
        posts = sum(count(c.current) for c in chosen)
        previous = sum(count(c.previous) for c in chosen)
        now = _ratio(posts, sum(count(c.current) for c in every))
        before = _ratio(previous, sum(count(c.previous) for c in every))
        return Share(
            posts=posts,
            share=now,
            previous_posts=previous,
            previous_share=before,
            change=None if now is None or before is None else now - before,
        )

    return {
        "all_posts": share(lambda counts: counts.total),
        "negative_posts": share(lambda counts: counts.negative),
    }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
