"""The node directory's layout and the configuration we write into it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from config import LocalNodeSettings

CLUSTER_NAME = "kikimimi-local"
NODE_NAME = "kikimimi-local-1"
DATA_NODE_ROLES = ("data", "ingest")
"""The roles of a node that may not be elected master (every other role is the default)."""


@dataclass(frozen=True)
class Membership:
    """A node's place in a local cluster of several: its name, every node's transport address
    and the names of the master-eligible nodes (the others hold data only)."""

    node_name: str
    seed_hosts: tuple[str, ...]
    master_nodes: tuple[str, ...]

    @property
    def master_eligible(self) -> bool:
        return self.node_name in self.master_nodes


@dataclass(frozen=True)
class NodeLayout:
    """Where a node keeps its files, all under one directory."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def pid_file(self) -> Path:
        return self.root / "node.pid"

    @property
    def stdout_log(self) -> Path:
        return self.root / "stdout.log"

    @property
    def formed_marker(self) -> Path:
        """Present once the node has seen its cluster formed: it never bootstraps one again."""
        return self.root / "cluster-formed"


def elasticsearch_yml(
    settings: LocalNodeSettings, layout: NodeLayout, membership: Membership | None = None
) -> dict[str, object]:
    """The settings of a private single node, or of a member of a local cluster; only ones
    the integ-test distribution knows."""
    return {
        "cluster.name": CLUSTER_NAME,
        "node.name": NODE_NAME if membership is None else membership.node_name,
        "path.data": str(layout.data),
        "path.logs": str(layout.logs),
        "network.host": "127.0.0.1",
        "http.port": settings.port,
        "transport.port": settings.transport_port,
        **_discovery(membership, layout),
        "xpack.security.enabled": False,
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }


def _discovery(membership: Membership | None, layout: NodeLayout) -> dict[str, object]:
    """Single-node discovery, or the cluster's seed hosts; a master-eligible member names the
    master-eligible nodes that bootstrap the cluster until it has formed once (Elasticsearch
    wants ``cluster.initial_master_nodes`` gone after that, and never on other nodes)."""
    if membership is None:
        return {"discovery.type": "single-node"}
    found: dict[str, object] = {"discovery.seed_hosts": list(membership.seed_hosts)}
    if not membership.master_eligible:
        found["node.roles"] = list(DATA_NODE_ROLES)
    elif not layout.formed_marker.exists():
        found["cluster.initial_master_nodes"] = list(membership.master_nodes)
    return found


def jvm_options(settings: LocalNodeSettings) -> list[str]:
    """A fixed heap of ``settings.heap``, then ``settings.jvm_options``."""
    return [f"-Xms{settings.heap}", f"-Xmx{settings.heap}", *settings.jvm_options]


def prepare(
    settings: LocalNodeSettings,
    distribution: Path,
    layout: NodeLayout,
    membership: Membership | None = None,
) -> None:
    """Create the node directory; copy the stock config once, write ours every time.

    Call it only while the node is stopped: it empties the node's temp folder.
    """
    shutil.rmtree(layout.tmp, ignore_errors=True)
    for directory in (layout.root, layout.data, layout.logs, layout.tmp):
        directory.mkdir(parents=True, exist_ok=True)
    if not layout.config.is_dir():
        staging = layout.root / ".config.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(distribution / "config", staging)
        staging.rename(layout.config)
    header = "# Written by Kikimimi on every start of the local node; edits are overwritten.\n"
    body = yaml.safe_dump(elasticsearch_yml(settings, layout, membership), sort_keys=False)
    (layout.config / "elasticsearch.yml").write_text(header + body, encoding="utf-8")
    options_dir = layout.config / "jvm.options.d"
    options_dir.mkdir(exist_ok=True)
    options = "\n".join(jvm_options(settings)) + "\n"
    (options_dir / "kikimimi.options").write_text(options, encoding="utf-8")
