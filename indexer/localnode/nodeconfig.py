"""The node directory's layout and the configuration we write into it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from config import LocalNodeSettings

CLUSTER_NAME = "kikimimi-local"
NODE_NAME = "kikimimi-local-1"


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


def elasticsearch_yml(settings: LocalNodeSettings, layout: NodeLayout) -> dict[str, object]:
    """The settings of a private single node; only ones the integ-test distribution knows."""
    return {
        "cluster.name": CLUSTER_NAME,
        "node.name": NODE_NAME,
        "path.data": str(layout.data),
        "path.logs": str(layout.logs),
        "network.host": "127.0.0.1",
        "http.port": settings.port,
        "transport.port": settings.transport_port,
        "discovery.type": "single-node",
        "xpack.security.enabled": False,
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }


def jvm_options(settings: LocalNodeSettings) -> list[str]:
    """A fixed heap of ``settings.heap``."""
    return [f"-Xms{settings.heap}", f"-Xmx{settings.heap}"]


def prepare(settings: LocalNodeSettings, distribution: Path, layout: NodeLayout) -> None:
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
    body = yaml.safe_dump(elasticsearch_yml(settings, layout), sort_keys=False)
    (layout.config / "elasticsearch.yml").write_text(header + body, encoding="utf-8")
    options_dir = layout.config / "jvm.options.d"
    options_dir.mkdir(exist_ok=True)
    options = "\n".join(jvm_options(settings)) + "\n"
    (options_dir / "kikimimi.options").write_text(options, encoding="utf-8")
