"""The posts behind a figure of the trends, on the seeded stream and the real local
Elasticsearch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from elasticsearch import Elasticsearch

from core import IndexNames
from indexer import PostFilters, TrendBrand, trend_posts
from tests.indexer.trends.conftest import HOSHI, SCOPE, WEEK

pytestmark = pytest.mark.elasticsearch


def test_the_posts_behind_a_bar(es: Elasticsearch, seeded: IndexNames) -> None:
    first_day = SCOPE.model_copy(
        update={"end": WEEK + timedelta(days=1), "brands": (TrendBrand(name=HOSHI, role="own"),)}
    )

    found = trend_posts(es, seeded, first_day, PostFilters(sentiment="negative"), size=2)

    assert (
        found.total == 5
    )  # Hoshi Mobile's negative posts 0, 7, 14, 21 and 28 (not the deleted one)
    assert len(found.posts) == 2
    assert found.posts[0].published_at >= found.posts[1].published_at
    assert all(p.sentiment and p.sentiment.label == "negative" for p in found.posts)


@pytest.mark.parametrize(
    ("filters", "total"),
    [
        (PostFilters(topic="outage"), 25),
        (PostFilters(source="mastodon", author="star"), 3),
        (PostFilters(theme="圏 外"), 15),
        (PostFilters(theme="roaming", sentiment="negative"), 15),
        (PostFilters(), 100),
    ],
)
def test_filters_match_what_the_figures_count(
    es: Elasticsearch, seeded: IndexNames, filters: PostFilters, total: int
) -> None:
    assert trend_posts(es, seeded, SCOPE, filters).total == total
