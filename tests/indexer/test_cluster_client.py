"""A client for a cluster knows every node (``elasticsearch.hosts``): when the node holding
every primary dies, requests, and the indexer's bulk writes, go to the living node, and
nothing is lost or written twice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from config.settings import ElasticsearchSettings, IndexerSettings
from core import IndexNames
from indexer import (
    DeadLetterFile,
    Indexer,
    Spool,
    cluster_health,
    count_mentions,
    install_templates,
    make_client,
)
from tests.conftest import MakeMentions
from tests.elasticsearch_cluster import RunningCluster, remove_prefix

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


@pytest.fixture
def client(elasticsearch_cluster: RunningCluster) -> Iterator[Elasticsearch]:
    """The client ``kikimimi`` makes for ``elasticsearch.hosts`` listing both nodes."""
    made = make_client(ElasticsearchSettings(hosts=elasticsearch_cluster.urls))
    yield made
    made.close()


def test_the_client_knows_every_node(
    elasticsearch_cluster: RunningCluster, client: Elasticsearch
) -> None:
    known = sorted(node.base_url for node in client.transport.node_pool.all())
    assert known == sorted(elasticsearch_cluster.urls)
    assert cluster_health(client).nodes == 2


def test_when_a_node_dies_requests_and_bulk_writes_go_to_the_living_one(
    elasticsearch_cluster: RunningCluster,
    client: Elasticsearch,
    make_mentions: MakeMentions,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    names = IndexNames(f"kkcluster-{uuid.uuid4().hex[:8]}")
    mentions = make_mentions(400)
    install_templates(client, names, replicas=1)
    indexer = Indexer(
        client,
        names,
        IndexerSettings(batch_size=50),
        Spool(tmp_path / "spool"),
        DeadLetterFile(tmp_path / "dead-letters.jsonl"),
    )
    doomed = elasticsearch_cluster.data_node
    try:
        first = indexer.index(mentions[:200])
        elasticsearch_cluster.put_primaries_on(doomed, f"{names.prefix}-*")
        elasticsearch_cluster.kill(doomed)

        with caplog.at_level(logging.WARNING, logger="elastic_transport.node_pool"):
            answers = [cluster_health(client).status for _ in range(10)]  # none raises
            second = indexer.index(mentions)

        assert (first.indexed, first.spooled) == (200, 0)
        assert len(answers) == 10, "each request was answered, by the living node"
        assert f"({doomed.url})> has failed" in caplog.text, "the dead node was tried, then left"
        assert (second.updated, second.indexed, second.spooled, second.dead_lettered) == (
            200,
            200,
            0,
            0,
        )
        client.indices.refresh(index=names.mentions_alias)
        assert count_mentions(client, names) == len(mentions)
        ids = {
            h["_id"] for h in client.search(index=names.mentions_alias, size=1000)["hits"]["hits"]
        }
        assert ids == {m.id for m in mentions}
    finally:
        doomed.start()
        elasticsearch_cluster.wait_for_green()
        remove_prefix(client, names)
