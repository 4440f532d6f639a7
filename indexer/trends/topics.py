"""Topics per brand over time: each brand's most talked-about topics of the period (the
topics the NLP stage found, ``topics``), their series and their change against the
previous period."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from core import IndexNames, elasticsearch_errors
from indexer.trends.aggregate import NEGATIVE, aggregate, count_series, period_of
from indexer.trends.records import BrandTopics, TopicsTrend, TopicTrend, change
from indexer.trends.scope import TrendScope, published_between

TOPICS = 8
MAX_TOPICS = 10


@elasticsearch_errors("compute the topics trend")
def topics_trend(
    client: Elasticsearch, names: IndexNames, scope: TrendScope, *, size: int = TOPICS
) -> TopicsTrend:
    """Up to ``size`` topics per brand (at most :data:`MAX_TOPICS`: each has a series),
    most posts in the period first (then topics only talked about before)."""
    found = aggregate(
        client,
        names,
        scope.both_periods(),
        {
            "brands": {
                **scope.brand_buckets(),
                "aggs": {
                    "topics": {
                        "terms": {
                            "field": "topics",
                            "size": size,
                            "order": [{"current": "desc"}, {"_key": "asc"}],
                        },
                        "aggs": {
                            "current": {
                                "filter": published_between(scope.start, scope.end),
                                "aggs": {
                                    "negative": {"filter": NEGATIVE},
                                    "series": scope.histogram(scope.start),
                                },
                            },
                            "previous": {
                                "filter": published_between(scope.previous_start, scope.start)
                            },
                        },
                    }
                },
            }
        },
    )
    buckets = found.get("brands", {}).get("buckets", {})
    brands = []
    for brand in scope.brands:
        topics = buckets.get(brand.name, {}).get("topics", {}).get("buckets", [])
        brands.append(
            BrandTopics(
                brand=brand.name,
                role=brand.role,
                topics=[
                    TopicTrend(
                        topic=str(topic["key"]),
                        change=change(
                            int(topic["current"]["doc_count"]), int(topic["previous"]["doc_count"])
                        ),
                        negative=int(topic["current"]["negative"]["doc_count"]),
                        series=count_series(topic["current"]["series"]),
                    )
                    for topic in topics
                ],
            )
        )
    return TopicsTrend(period=period_of(scope), brands=brands)
