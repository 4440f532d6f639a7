"""The cluster at a glance, against the real local Elasticsearch."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from core.index_names import IndexNames
from indexer.cluster import cluster_health, count_mentions
from indexer.templates import install_templates
from tests.conftest import MakeMentions

pytestmark = pytest.mark.elasticsearch


def test_health_and_the_mention_count(
    es: Elasticsearch, index_names: IndexNames, make_mentions: MakeMentions
) -> None:
    health = cluster_health(es)
    assert health.status in ("green", "yellow") and health.nodes == 1
    assert count_mentions(es, index_names) == 0, "no index yet is no mention"
    install_templates(es, index_names)
    for mention in make_mentions(3):
        es.index(
            index=index_names.mention_index(mention.published_at),
            id=mention.id,
            document=mention.model_dump(mode="json", exclude_none=True),
        )
    es.indices.refresh(index=index_names.mentions_alias)
    assert count_mentions(es, index_names) == 3
