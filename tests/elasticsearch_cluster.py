"""A real local two-node Elasticsearch cluster on free ports, in a folder of its own: the
first node master-eligible, the second data only (see :mod:`indexer.localnode.cluster`)."""

from __future__ import annotations

import os
import signal
import socket
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from elasticsearch import Elasticsearch

from config.settings import LocalNodeSettings
from core.index_names import IndexNames
from indexer.localnode import LocalCluster, LocalNode

CLUSTER_NODES = 2
CLUSTER_HEAP = "384m"
"""Per node: two of them fit beside the session's single node and the other tests' servers."""
PORT_ATTEMPTS = 50
TEST_JVM_OPTIONS = ["-XX:TieredStopAtLevel=1"]
"""The tests' nodes compile with the quick JIT only: a start costs about 40 % less CPU (on a
two-core machine, 21 instead of 38 CPU seconds), and their small indices never need the
optimising one."""


def free_port_block(count: int, avoid: range = range(0)) -> int:
    """The first of ``count`` consecutive ports on 127.0.0.1 that nothing listens on, none
    of them in ``avoid``."""
    for _ in range(PORT_ATTEMPTS):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        block = range(first, first + count)
        if block[-1] <= 65535 and not set(block) & set(avoid) and _all_free(block):
            return first
    raise RuntimeError(f"no {count} consecutive free ports found")


def _all_free(ports: range) -> bool:
    with ExitStack() as stack:
        for port in ports:
            sock = stack.enter_context(socket.socket())
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def cluster_settings(nodes: int = CLUSTER_NODES) -> LocalNodeSettings:
    """Settings for a local cluster of ``nodes`` on free consecutive ports."""
    http = free_port_block(nodes)
    transport = free_port_block(nodes, avoid=range(http, http + nodes))
    return LocalNodeSettings(
        port=http,
        transport_port=transport,
        nodes=nodes,
        heap=CLUSTER_HEAP,
        jvm_options=TEST_JVM_OPTIONS,
    )


@dataclass
class RunningCluster:
    """The session's local cluster, its settings and directory, and clients for it."""

    cluster: LocalCluster
    settings: LocalNodeSettings
    directory: Path

    @property
    def urls(self) -> list[str]:
        return self.cluster.urls

    @property
    def master(self) -> LocalNode:
        """The first node, the only master-eligible one."""
        return self.cluster.nodes[0]

    @property
    def data_node(self) -> LocalNode:
        """The second node: it holds data and may never be elected master."""
        return self.cluster.nodes[1]

    def client(self) -> Elasticsearch:
        """A client that knows every node."""
        return Elasticsearch(self.urls, request_timeout=30)

    def kill(self, node: LocalNode) -> None:
        """SIGKILL ``node``'s launcher and JVM at once, as a crash would."""
        pid = node.status().pid
        assert pid is not None, f"{node.name} does not run"
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while node.status().running:
            assert time.monotonic() < deadline, f"{node.name} outlived SIGKILL"
            time.sleep(0.2)

    def wait_for_green(self, timeout_seconds: int = 180) -> None:
        """Wait until every node is in and every shard copy is assigned."""
        with self.client() as client:
            health = client.options(request_timeout=timeout_seconds + 10).cluster.health(
                wait_for_status="green",
                wait_for_nodes=str(len(self.cluster.nodes)),
                timeout=f"{timeout_seconds}s",
            )
        assert health["status"] == "green", health

    def primaries(self, index: str) -> dict[str, str]:
        """Where each primary of ``index`` (a pattern) lives: ``index/shard`` → node name."""
        with self.client() as client:
            shards = _shards(client, index)
        return {f"{s['index']}/{s['shard']}": str(s["node"]) for s in shards if s["prirep"] == "p"}

    def put_primaries_on(self, node: LocalNode, index: str) -> None:
        """Make ``node`` hold every primary of ``index`` (a pattern): a primary elsewhere is
        failed on purpose, and its in-sync replica on ``node`` takes over."""
        self.wait_for_green()
        with self.client() as client:
            shards = _shards(client, index)
            commands = [
                {
                    "cancel": {
                        "index": s["index"],
                        "shard": int(s["shard"]),
                        "node": s["node"],
                        "allow_primary": True,
                    }
                }
                for s in shards
                if s["prirep"] == "p" and s["node"] != node.name
            ]
            if commands:
                client.cluster.reroute(commands=commands, metric="none")
        self.wait_for_green()
        assert set(self.primaries(index).values()) == {node.name}, self.primaries(index)


def _shards(client: Elasticsearch, index: str) -> list[dict[str, Any]]:
    """Every shard copy of ``index``: its index, shard number, ``p`` or ``r``, and node."""
    response = client.cat.shards(index=index, format="json", h="index,shard,prirep,node")
    return cast(list[dict[str, Any]], response.body)


def remove_prefix(client: Elasticsearch, names: IndexNames) -> None:
    """Delete the indices and templates under ``names``' prefix."""
    indices = list(client.indices.get(index=f"{names.prefix}-*", expand_wildcards="all"))
    if indices:
        client.indices.delete(index=",".join(indices))
    for template in (names.mentions_template, names.cases_template):
        client.options(ignore_status=404).indices.delete_index_template(name=template)
    client.options(ignore_status=404).cluster.delete_component_template(
        name=names.settings_component
    )
