"""``kikimimi es`` for a local cluster (``elasticsearch.local.nodes: 2``): a line per node
with its name and role; exit 3 while a node does not run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.elasticsearch_cluster import RunningCluster, cluster_settings


def kikimimi(
    tmp_path: Path, elasticsearch: dict[str, Any], *args: str
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "k.yaml"
    config.write_text(
        yaml.safe_dump({"state_dir": "var", "sources": [], "elasticsearch": elasticsearch})
    )
    command = [sys.executable, "-m", "kikimimi", "--config", str(config), *args]
    return subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def test_status_of_a_cluster_that_does_not_run_names_each_node_and_exits_3(
    tmp_path: Path,
) -> None:
    settings = cluster_settings()
    local = {"port": settings.port, "transport_port": settings.transport_port, "nodes": 2}
    result = kikimimi(tmp_path, {"local": local}, "es", "status")

    assert result.returncode == 3, result.stderr
    elasticsearch = tmp_path / "var" / "elasticsearch"
    assert result.stdout.splitlines() == [
        f"kikimimi-local-1 (master-eligible): not running ({elasticsearch / 'node-1'})",
        f"kikimimi-local-2 (data only): not running ({elasticsearch / 'node-2'})",
    ]


@pytest.mark.elasticsearch
@pytest.mark.slow
def test_start_and_status_of_a_running_cluster_show_each_node(
    tmp_path: Path, elasticsearch_cluster: RunningCluster
) -> None:
    cluster = elasticsearch_cluster
    first, second = cluster.urls
    local = {
        "port": cluster.settings.port,
        "transport_port": cluster.settings.transport_port,
        "nodes": 2,
        "directory": str(cluster.directory),
    }

    started = kikimimi(tmp_path, {"hosts": [first], "local": local}, "es", "start")
    status = kikimimi(tmp_path, {"hosts": [first, second], "local": local}, "es", "status")

    assert started.returncode == 0, started.stderr
    assert [line.split(": running: ")[0] for line in started.stdout.splitlines()] == [
        "kikimimi-local-1 (master-eligible)",
        "kikimimi-local-2 (data only)",
    ]
    assert f"note: elasticsearch.hosts does not list {second}; list every node" in started.stderr
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert len(lines) == 2
    nodes = zip(lines, cluster.cluster.nodes, cluster.urls, strict=True)
    for number, (line, node, url) in enumerate(nodes, start=1):
        assert line.startswith(f"{node.name} (")
        assert f"running: pid {node.status().pid}, {url}, Elasticsearch 8.19.21, health " in line
        assert line.endswith(f", data in {cluster.directory / f'node-{number}'}")
