"""The negative mentions no configured topic covers: what emerging themes are found in."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from core import IndexedMention, IndexNames, elasticsearch_errors

UNTOPICKED_LIMIT = 500
"""Posts read by default: grouping 500 of a period and 500 of the one before answers in
about 0.2 s from the embedding cache (2,000 and 2,000: about 2 s), see
``benchmarks/emerging_themes.py``."""


@dataclass(frozen=True)
class UntopickedNegatives:
    """The newest of a period's negative mentions without a topic (at most the limit asked
    for), newest first, and ``total``: how many there are in all."""

    mentions: list[IndexedMention]
    total: int


@elasticsearch_errors("find the negative mentions without a topic")
def untopicked_negatives(
    client: Elasticsearch,
    names: IndexNames,
    *,
    start: datetime,
    end: datetime,
    brands: Collection[str] | None = None,
    limit: int = UNTOPICKED_LIMIT,
) -> UntopickedNegatives:
    """Negative, not deleted mentions published in [start, end) that have no topic; with
    ``brands``, only those about one of them (``None``: about any brand or none)."""
    filters: list[dict[str, Any]] = [
        {"term": {"sentiment.label": "negative"}},
        {"range": {"published_at": {"gte": start.isoformat(), "lt": end.isoformat()}}},
    ]
    if brands is not None:
        filters.append({"terms": {"brands.brand": sorted(brands)}})
    response = client.search(
        index=names.mentions_alias,
        query={
            "bool": {
                "filter": filters,
                "must_not": [{"exists": {"field": "topics"}}, {"term": {"deleted": True}}],
            }
        },
        size=limit,
        sort=[{"published_at": "desc"}, {"id": "asc"}],
        track_total_hits=True,
        ignore_unavailable=True,
    )
    hits = response["hits"]
    return UntopickedNegatives(
        mentions=[IndexedMention.model_validate(hit["_source"]) for hit in hits["hits"]],
        total=int(hits["total"]["value"]),
    )
