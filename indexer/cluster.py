"""The cluster at a glance: its health and how many mentions it holds."""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import Elasticsearch

from core import IndexNames, elasticsearch_errors


@dataclass(frozen=True)
class ClusterHealth:
    """``status`` is green, yellow or red."""

    status: str
    nodes: int


@elasticsearch_errors("check the cluster's health")
def cluster_health(client: Elasticsearch) -> ClusterHealth:
    health = client.cluster.health()
    return ClusterHealth(str(health["status"]), int(health["number_of_nodes"]))


@elasticsearch_errors("count the mentions")
def count_mentions(client: Elasticsearch, names: IndexNames) -> int:
    """How many mentions are indexed (0 before the first index exists)."""
    return int(client.count(index=names.mentions_alias, ignore_unavailable=True)["count"])
