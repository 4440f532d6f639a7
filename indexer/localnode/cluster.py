"""The local Elasticsearch as a whole: one node, or a cluster of several on one machine.

Node *i* (from 1) of a cluster listens on ``port + i - 1`` (HTTP) and ``transport_port + i - 1``,
keeps its files in ``directory/node-i`` and finds the others by their transport addresses.
Which nodes may be elected master follows Elasticsearch's advice for small clusters: of two
nodes only the first (the cluster survives losing the second, not the first: two
master-eligible nodes would need both for a quorum); of three or more, every node (a
majority survives losing any one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from config import LocalNodeSettings
from core import ElasticsearchNodeError

from .node import LocalNode, NodeStatus
from .nodeconfig import CLUSTER_NAME, Membership

SMALLEST_QUORATE_CLUSTER = 3
"""Fewer nodes than this have a single master-eligible node."""


class LocalCluster:
    """The local Elasticsearch that ``kikimimi es`` manages: ``settings.nodes`` nodes on
    127.0.0.1. A single node (the default) keeps its files in ``directory`` itself."""

    def __init__(
        self,
        settings: LocalNodeSettings,
        directory: Path,
        cache_dir: Path | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.nodes = [
            LocalNode(member, folder, cache_dir, progress, membership)
            for member, folder, membership in members(settings, directory)
        ]

    @property
    def urls(self) -> list[str]:
        """Every node's HTTP address, the first node's first."""
        return [node.url for node in self.nodes]

    def status(self) -> list[NodeStatus]:
        """Each node as its pid file and its HTTP endpoint describe it."""
        return [node.status() for node in self.nodes]

    def start(self) -> list[NodeStatus]:
        """Start every node that does not run, all at once (master-eligible nodes elect a
        master together), and wait until each is yellow or green. When one fails to start,
        the nodes this call started are stopped again."""
        started: list[LocalNode] = []
        try:
            for node in self.nodes:
                if node.launch():
                    started.append(node)
            return [node.wait_until_healthy() for node in self.nodes]
        except (ElasticsearchNodeError, OSError):
            for node in started:
                node.stop()
            raise

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop every node, the last first (the master-eligible first node goes last); True if
        any was running."""
        stopped = [node.stop(timeout) for node in reversed(self.nodes)]
        return any(stopped)


def members(
    settings: LocalNodeSettings, directory: Path
) -> list[tuple[LocalNodeSettings, Path, Membership | None]]:
    """Each node's settings (its own ports), folder and place in the cluster (None for a
    single node)."""
    count = settings.nodes
    if count == 1:
        return [(settings, directory, None)]
    names = [f"{CLUSTER_NAME}-{number}" for number in range(1, count + 1)]
    seeds = tuple(f"127.0.0.1:{settings.transport_port + i}" for i in range(count))
    masters = tuple(names if count >= SMALLEST_QUORATE_CLUSTER else names[:1])
    return [
        (
            settings.model_copy(
                update={"port": settings.port + i, "transport_port": settings.transport_port + i}
            ),
            directory / f"node-{i + 1}",
            Membership(names[i], seeds, masters),
        )
        for i in range(count)
    ]
