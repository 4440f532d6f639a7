"""The pieces every trends query shares: the search itself (aggregations only, no hits), the
sentiment split and how its buckets and series are read back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from core import IndexNames
from indexer.trends.records import CountPoint, Period, SentimentCounts, VolumePoint
from indexer.trends.scope import TrendScope

Aggregations = Mapping[str, Any]
LABELS = {"terms": {"field": "sentiment.label", "size": 3}}
"""The split by sentiment label (posts without one are the rest of the bucket)."""
NEGATIVE = {"term": {"sentiment.label": "negative"}}
NO_COUNTS = SentimentCounts(total=0, positive=0, neutral=0, negative=0, unlabelled=0)


def aggregate(
    client: Elasticsearch, names: IndexNames, query: dict[str, Any], aggs: dict[str, Any]
) -> Aggregations:
    """The ``aggs`` of the mentions matching ``query`` (empty before any mention is
    indexed)."""
    response = client.search(
        index=names.mentions_alias,
        size=0,
        query=query,
        aggs=aggs,
        track_total_hits=False,
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    found: Aggregations = response.body.get("aggregations", {})
    return found


def period_of(scope: TrendScope) -> Period:
    return Period(
        start=scope.start, end=scope.end, previous_start=scope.previous_start, bucket=scope.bucket
    )


def sentiment_counts(bucket: Aggregations | None) -> SentimentCounts:
    """A bucket holding a :data:`LABELS` split as counts by sentiment."""
    if not bucket:
        return NO_COUNTS
    labels = {str(b["key"]): int(b["doc_count"]) for b in bucket["labels"]["buckets"]}
    total = int(bucket["doc_count"])
    positive, neutral, negative = (labels.get(k, 0) for k in ("positive", "neutral", "negative"))
    return SentimentCounts(
        total=total,
        positive=positive,
        neutral=neutral,
        negative=negative,
        unlabelled=total - positive - neutral - negative,
    )


def volume_series(histogram: Aggregations | None) -> list[VolumePoint]:
    """A date histogram with a :data:`LABELS` split in each bucket."""
    return [
        VolumePoint(at=_moment(b["key"]), counts=sentiment_counts(b))
        for b in (histogram or {}).get("buckets", [])
    ]


def count_series(histogram: Aggregations | None) -> list[CountPoint]:
    """A date histogram's buckets as counts."""
    return [
        CountPoint(at=_moment(b["key"]), count=int(b["doc_count"]))
        for b in (histogram or {}).get("buckets", [])
    ]


def _moment(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, UTC)
