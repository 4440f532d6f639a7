"""Top sources and the most-reached authors on the seeded stream, against the real local
Elasticsearch."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from core import IndexNames
from indexer import top_authors, top_sources
from tests.indexer.trends.conftest import SCOPE

pytestmark = pytest.mark.elasticsearch


def test_top_sources_with_their_change(es: Elasticsearch, seeded: IndexNames) -> None:
    sources = top_sources(es, seeded, SCOPE).sources

    assert [s.source for s in sources] == ["bluesky", "mastodon", "hackernews"]
    bluesky, mastodon, hackernews = sources
    assert (bluesky.change.current, bluesky.change.previous) == (50, 0)
    assert bluesky.change.ratio is None
    assert bluesky.negative + mastodon.negative == 40
    assert (hackernews.change.current, hackernews.change.previous) == (0, 100)
    assert hackernews.change.ratio == pytest.approx(-1.0)


def test_authors_by_followers_times_posts(es: Elasticsearch, seeded: IndexNames) -> None:
    hoshi = SCOPE.model_copy(update={"brands": SCOPE.brands[:1]})

    authors = top_authors(es, seeded, hoshi, size=50).authors

    busy, star = authors[:2]
    assert (busy.source, busy.handle, busy.name) == ("bluesky", "busy", "Busy Bee")
    assert (busy.followers, busy.posts, busy.reach) == (2_000, 20, 40_000)
    assert (star.source, star.handle, star.verified) == ("mastodon", "star", True)
    assert (star.followers, star.posts, star.reach) == (10_000, 3, 30_000)
    [nobody] = [a for a in authors if a.handle == "nobody"]
    assert (nobody.followers, nobody.posts, nobody.reach) == (None, 10, 0)
    assert [a.reach for a in authors] == sorted((a.reach for a in authors), reverse=True)


def test_the_top_authors_are_cut_to_size(es: Elasticsearch, seeded: IndexNames) -> None:
    authors = top_authors(es, seeded, SCOPE, size=3).authors

    assert [a.handle for a in authors] == ["busy", "star", "user59"]
