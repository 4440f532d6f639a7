"""Every public entry of the indexer that talks to Elasticsearch raises Kikimimi's error when
the cluster is unreachable, naming what it was doing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from core.errors import ElasticsearchUnavailableError
from core.index_names import IndexNames
from indexer.cluster import cluster_health, count_mentions
from indexer.search import search_mentions
from indexer.templates import detect_analyzer, install_templates
from tests.conftest import free_port

NAMES = IndexNames("kktest-down")


@pytest.fixture
def down() -> Iterator[Elasticsearch]:
    """A client for a port where nothing listens."""
    client = Elasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    yield client
    client.close()


ENTRIES: dict[str, Callable[[Elasticsearch], Any]] = {
    "install the index templates": lambda es: install_templates(es, NAMES, analyzer="standard"),
    "detect the cluster's text analyzers": detect_analyzer,
    "search mentions": lambda es: search_mentions(es, NAMES, "障害"),
    "check the cluster's health": cluster_health,
    "count the mentions": lambda es: count_mentions(es, NAMES),
}


@pytest.mark.parametrize("operation", ENTRIES)
def test_an_unreachable_cluster_raises_the_projects_error(
    down: Elasticsearch, operation: str
) -> None:
    with pytest.raises(ElasticsearchUnavailableError) as raised:
        ENTRIES[operation](down)
    assert raised.value.operation == operation
    assert "Connection" in raised.value.cause and raised.value.status is None
