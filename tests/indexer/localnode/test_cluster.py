"""How the local cluster's nodes are laid out (ports, folders, names, master roles), and a
cluster that cannot start."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from config.settings import LocalNodeSettings
from core.errors import ElasticsearchNodeError
from indexer.localnode import LocalCluster
from indexer.localnode.cluster import members
from tests.elasticsearch_cluster import cluster_settings

from .conftest import processes_mentioning


def test_one_node_is_the_single_node_in_the_directory_itself(tmp_path: Path) -> None:
    settings = LocalNodeSettings(port=19200, transport_port=19300)

    [(member, folder, membership)] = members(settings, tmp_path)

    assert (member, folder, membership) == (settings, tmp_path, None)
    [node] = LocalCluster(settings, tmp_path).nodes
    assert (node.name, node.url, node.master_eligible) == (
        "kikimimi-local-1",
        "http://127.0.0.1:19200",
        True,
    )


def test_of_two_nodes_only_the_first_may_be_elected_master(tmp_path: Path) -> None:
    settings = LocalNodeSettings(port=19200, transport_port=19300, nodes=2, heap="256m")

    [(first, first_dir, one), (second, second_dir, two)] = members(settings, tmp_path)

    assert (first.port, first.transport_port, second.port, second.transport_port) == (
        19200,
        19300,
        19201,
        19301,
    )
    assert (first.heap, second.heap) == ("256m", "256m")
    assert (first_dir, second_dir) == (tmp_path / "node-1", tmp_path / "node-2")
    assert one is not None and two is not None
    assert (one.node_name, two.node_name) == ("kikimimi-local-1", "kikimimi-local-2")
    assert one.seed_hosts == two.seed_hosts == ("127.0.0.1:19300", "127.0.0.1:19301")
    assert (one.master_eligible, two.master_eligible) == (True, False)
    cluster = LocalCluster(settings, tmp_path)
    assert cluster.urls == ["http://127.0.0.1:19200", "http://127.0.0.1:19201"]


def test_of_three_nodes_every_one_may_be_elected_master(tmp_path: Path) -> None:
    settings = LocalNodeSettings(port=19200, transport_port=19300, nodes=3)

    memberships = [membership for _, _, membership in members(settings, tmp_path)]

    assert all(m is not None and m.master_eligible for m in memberships)
    assert memberships[2] is not None
    assert memberships[2].master_nodes == (
        "kikimimi-local-1",
        "kikimimi-local-2",
        "kikimimi-local-3",
    )


@pytest.mark.parametrize(
    ("ports", "problem"),
    [
        ({"port": 9200, "transport_port": 9201, "nodes": 2}, "overlap the HTTP ports 9200-9201"),
        ({"port": 65535, "transport_port": 9300, "nodes": 2}, "need ports up to 65536"),
        ({"port": 9200, "transport_port": 9200}, "overlap the HTTP ports 9200"),
    ],
)
def test_port_ranges_that_collide_or_overflow_are_refused(
    ports: dict[str, int], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        LocalNodeSettings(**ports)


@pytest.mark.elasticsearch
@pytest.mark.slow
def test_when_one_node_cannot_start_the_nodes_started_with_it_are_stopped(
    open_dir: Path,
) -> None:
    settings = cluster_settings()
    cluster = LocalCluster(settings, open_dir)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", settings.port + 1))  # the second node's HTTP port
        listener.listen()

        with pytest.raises(ElasticsearchNodeError, match="already taken by another program"):
            cluster.start()

    assert [node.running for node in cluster.status()] == [False, False]
    assert (open_dir / "node-1" / "config" / "elasticsearch.yml").is_file(), "it was launched"
    assert processes_mentioning(open_dir) == []
