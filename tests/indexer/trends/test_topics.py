"""Topics per brand over time on the seeded stream, against the real local Elasticsearch."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from core import IndexNames
from indexer import topics_trend
from tests.indexer.trends.conftest import HOSHI, NAMI, SCOPE

pytestmark = pytest.mark.elasticsearch


def test_topics_per_brand_with_their_change_and_series(
    es: Elasticsearch, seeded: IndexNames
) -> None:
    trend = topics_trend(es, seeded, SCOPE)

    brands = {b.brand: b for b in trend.brands}
    hoshi = brands[HOSHI].topics
    assert [t.topic for t in hoshi] == ["outage", "billing"]
    outage, billing = hoshi
    assert (outage.change.current, outage.change.previous) == (25, 5)
    assert outage.change.ratio == pytest.approx(4.0)
    assert outage.negative == 25
    assert (billing.change.difference, billing.negative) == (0, 0)
    assert len(outage.series) == 7
    assert sum(p.count for p in outage.series) == 25
    assert brands[NAMI].topics == []


def test_topics_are_limited_per_brand(es: Elasticsearch, seeded: IndexNames) -> None:
    trend = topics_trend(es, seeded, SCOPE, size=1)

    assert [t.topic for t in trend.brands[0].topics] == ["outage"]
