"""One real start/status/stop cycle of a local node on free ports in its own directory."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.settings import LocalNodeSettings
from core.errors import ElasticsearchNodeError
from indexer.localnode import LocalNode, NodeStatus
from tests.elasticsearch_cluster import TEST_JVM_OPTIONS

from .conftest import free_ports, processes_mentioning

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


@dataclass
class Started:
    node: LocalNode
    settings: LocalNodeSettings
    directory: Path
    status: NodeStatus
    messages: list[str]


@pytest.fixture(scope="module")
def started() -> Iterator[Started]:
    root = Path(tempfile.mkdtemp(prefix="kikimimi-localnode-test-"))
    root.chmod(0o755)  # the node runs as another user when we are root
    http_port, transport_port = free_ports(2)
    settings = LocalNodeSettings(
        port=http_port, transport_port=transport_port, jvm_options=TEST_JVM_OPTIONS
    )
    messages: list[str] = []
    node = LocalNode(settings, root / "node", progress=messages.append)
    try:
        yield Started(node, settings, root / "node", node.start(), messages)
    finally:
        node.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_start_reports_a_healthy_node(started: Started) -> None:
    status = started.status
    url = f"http://127.0.0.1:{started.settings.port}"

    assert status.running
    assert status.health in {"yellow", "green"}
    assert status.version == started.settings.version
    assert status.url == started.node.url == url
    assert status.directory == started.directory
    assert status.pid == int((started.directory / "node.pid").read_text())
    assert any(m.startswith(f"starting Elasticsearch 8.19.21 on {url}") for m in started.messages)
    assert started.messages[-1].startswith("healthy after ")


def test_the_node_keeps_its_files_in_its_directory(started: Started) -> None:
    directory = started.directory
    config = (directory / "config" / "elasticsearch.yml").read_text()

    assert f"http.port: {started.settings.port}" in config
    assert (directory / "config" / "jvm.options").is_file()  # the stock file, copied
    assert "started" in (directory / "stdout.log").read_text()
    assert any((directory / "logs").glob("*.log"))
    assert any((directory / "tmp").glob("final-flags*"))  # the launcher's temp dir, not /tmp
    if os.geteuid() == 0:
        owner = pwd.getpwuid((directory / "data").stat().st_uid).pw_name
        assert owner == started.settings.run_as_user


def test_start_again_is_idempotent(started: Started) -> None:
    pid = started.status.pid
    messages: list[str] = []
    other = LocalNode(started.settings, started.directory, progress=messages.append)

    assert started.node.start().pid == pid
    assert other.start().pid == pid
    assert other.status().running
    assert messages == []


def test_a_second_node_on_the_same_port_is_refused(started: Started, open_dir: Path) -> None:
    rival = LocalNode(started.settings, open_dir / "node")

    with pytest.raises(
        ElasticsearchNodeError, match=r"already taken by an Elasticsearch 8\.19\.21"
    ):
        rival.start()
    assert not rival.status().running


def test_stop_then_status_says_not_running(started: Started) -> None:
    """Runs last: it stops the module's node."""
    assert started.node.stop() is True

    status = started.node.status()
    assert (status.running, status.pid, status.health, status.version) == (False, None, None, None)
    assert not (started.directory / "node.pid").exists()
    assert processes_mentioning(started.directory) == []
    assert started.node.stop() is False
