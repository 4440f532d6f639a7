"""Where the talk is: the top sources of the period against the previous one, and the
most-reached authors (followers × posts)."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from core import IndexNames, elasticsearch_errors
from indexer.trends.aggregate import NEGATIVE, aggregate, period_of
from indexer.trends.records import AuthorReach, SourceTrend, TopAuthors, TopSources, change
from indexer.trends.scope import TrendScope, published_between

SOURCES = 10
AUTHORS = 10
MAX_LISTED = 50
MAX_SOURCES = 100
"""Sources whose authors are ranked (a configuration has a handful)."""


@elasticsearch_errors("compute the top sources")
def top_sources(
    client: Elasticsearch, names: IndexNames, scope: TrendScope, *, size: int = SOURCES
) -> TopSources:
    """Up to ``size`` sources, most posts in the period first, with their change."""
    found = aggregate(
        client,
        names,
        scope.both_periods(),
        {
            "sources": {
                "terms": {
                    "field": "source",
                    "size": size,
                    "order": [{"current": "desc"}, {"_key": "asc"}],
                },
                "aggs": {
                    "current": {
                        "filter": published_between(scope.start, scope.end),
                        "aggs": {"negative": {"filter": NEGATIVE}},
                    },
                    "previous": {"filter": published_between(scope.previous_start, scope.start)},
                },
            }
        },
    )
    return TopSources(
        period=period_of(scope),
        sources=[
            SourceTrend(
                source=str(bucket["key"]),
                change=change(
                    int(bucket["current"]["doc_count"]), int(bucket["previous"]["doc_count"])
                ),
                negative=int(bucket["current"]["negative"]["doc_count"]),
            )
            for bucket in found.get("sources", {}).get("buckets", [])
        ],
    )


@elasticsearch_errors("compute the most-reached authors")
def top_authors(
    client: Elasticsearch, names: IndexNames, scope: TrendScope, *, size: int = AUTHORS
) -> TopAuthors:
    """Up to ``size`` authors (by source and handle) of the period, highest reach first:
    the sum of ``author.followers`` over their posts, which is followers × posts. Each
    source's top ``size`` are asked for and merged, so the overall top is exact."""
    found = aggregate(
        client,
        names,
        scope.query(scope.start, scope.end),
        {
            "sources": {
                "terms": {"field": "source", "size": MAX_SOURCES},
                "aggs": {
                    "authors": {
                        "terms": {
                            "field": "author.handle",
                            "size": size,
                            "order": [{"reach": "desc"}, {"_count": "desc"}, {"_key": "asc"}],
                        },
                        "aggs": {
                            "reach": {"sum": {"field": "author.followers"}},
                            "followers": {"max": {"field": "author.followers"}},
                            "latest": {
                                "top_hits": {
                                    "size": 1,
                                    "sort": [{"published_at": "desc"}],
                                    "_source": ["author.name", "author.verified"],
                                }
                            },
                        },
                    }
                },
            }
        },
    )
    authors = []
    for source in found.get("sources", {}).get("buckets", []):
        for bucket in source["authors"]["buckets"]:
            hits = bucket["latest"]["hits"]["hits"]
            author = hits[0]["_source"].get("author", {}) if hits else {}
            followers = bucket["followers"]["value"]
            authors.append(
                AuthorReach(
                    source=str(source["key"]),
                    handle=str(bucket["key"]),
                    name=author.get("name"),
                    verified=author.get("verified"),
                    followers=None if followers is None else int(followers),
                    posts=int(bucket["doc_count"]),
                    reach=int(bucket["reach"]["value"]),
                )
            )
    authors.sort(key=lambda a: (-a.reach, -a.posts, a.source, a.handle))
    return TopAuthors(period=period_of(scope), authors=authors[:size])
