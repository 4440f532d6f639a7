"""The posts behind a figure of the trends (a bar, a point, a theme): the brands' posts of a
period that match what the figure counted, newest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from elasticsearch import Elasticsearch

from core import IndexedMention, IndexNames, SentimentLabel, elasticsearch_errors
from indexer.trends.records import TrendRecord
from indexer.trends.scope import TrendScope

POSTS = 50
MAX_POSTS = 100


class PostFilters(TrendRecord):
    """What a figure counted, beyond the period and the brands: a sentiment label, a topic,
    a source, an author's handle, a rising theme's ``key``."""

    sentiment: SentimentLabel | None = None
    topic: str | None = None
    source: str | None = None
    author: str | None = None
    theme: str | None = None


class TrendPosts(TrendRecord):
    """The newest posts matching, and how many match in all."""

    total: int
    posts: list[IndexedMention]


@elasticsearch_errors("list the posts behind a trend")
def trend_posts(
    client: Elasticsearch,
    names: IndexNames,
    scope: TrendScope,
    filters: PostFilters,
    *,
    size: int = POSTS,
) -> TrendPosts:
    """Up to ``size`` (at most :data:`MAX_POSTS`) posts of the scope's brands in its period
    [start, end) that match ``filters``, newest first."""
    query = scope.query(scope.start, scope.end)["bool"]
    response = client.search(
        index=names.mentions_alias,
        query={"bool": {**query, "filter": [*query["filter"], *_clauses(filters)]}},
        sort=[{"published_at": "desc"}, {"id": "desc"}],
        size=size,
        track_total_hits=True,
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    hits = response["hits"]
    return TrendPosts(
        total=int(hits["total"]["value"]),
        posts=readable_posts(hit["_source"] for hit in hits["hits"]),
    )


def theme_filter(key: str) -> dict[str, Any]:
    """The query clause of the posts holding the rising theme indexed as ``key``."""
    return {"term": {"text.phrases": key}}


def readable_posts(sources: Iterable[dict[str, Any]]) -> list[IndexedMention]:
    """The stored documents as mentions; a document this version cannot read is left out."""
    posts = []
    for source in sources:
        try:
            posts.append(IndexedMention.model_validate(source))
        except ValueError:
            continue
    return posts


def _clauses(filters: PostFilters) -> list[dict[str, Any]]:
    fields = {
        "sentiment.label": filters.sentiment,
        "topics": filters.topic,
        "source": filters.source,
        "author.handle": filters.author,
    }
    clauses = [{"term": {field: value}} for field, value in fields.items() if value is not None]
    if filters.theme is not None:
        clauses.append(theme_filter(filters.theme))
    return clauses
