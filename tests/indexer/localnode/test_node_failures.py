"""A node that cannot start: taken ports, stale pid files, early exits, slow starts."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from config.settings import LocalNodeSettings
from core.errors import ElasticsearchNodeError, NodeStartError
from indexer.localnode import LocalNode

from .conftest import free_ports, processes_mentioning


@pytest.mark.parametrize("taken", ["port", "transport_port"])
def test_a_port_taken_by_another_program_is_refused(taken: str, open_dir: Path) -> None:
    http_port, transport_port = free_ports(2)
    settings = LocalNodeSettings(port=http_port, transport_port=transport_port)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", getattr(settings, taken)))
        listener.listen()

        with pytest.raises(ElasticsearchNodeError) as raised:
            LocalNode(settings, open_dir / "node").start()

    assert "already taken by another program" in str(raised.value)
    assert f"elasticsearch.local.{taken}" in str(raised.value)
    assert not (open_dir / "node").exists()


def test_a_stale_pid_file_means_not_running(open_dir: Path) -> None:
    node = LocalNode(LocalNodeSettings(port=free_ports(1)[0]), open_dir)
    pid_file = open_dir / "node.pid"
    finished = subprocess.Popen(["true"])
    finished.wait()

    for pid in (finished.pid, os.getpid()):  # a dead pid, and a live one that is not ES
        pid_file.write_text(f"{pid}\n")
        assert node.status().running is False
        assert node.stop() is False
        assert not pid_file.exists()


@pytest.mark.elasticsearch
@pytest.mark.slow
def test_an_early_exit_reports_the_log(open_dir: Path) -> None:
    http_port, transport_port = free_ports(2)
    settings = LocalNodeSettings(port=http_port, transport_port=transport_port, heap="1m")
    node = LocalNode(settings, open_dir / "node")

    with pytest.raises(NodeStartError, match="exited with status") as raised:
        node.start()

    assert raised.value.log_tail
    assert not node.status().running
    assert processes_mentioning(open_dir) == []


@pytest.mark.elasticsearch
@pytest.mark.slow
def test_a_node_not_healthy_in_time_is_stopped(open_dir: Path) -> None:
    http_port, transport_port = free_ports(2)
    settings = LocalNodeSettings(
        port=http_port, transport_port=transport_port, startup_timeout_seconds=1.0
    )
    node = LocalNode(settings, open_dir / "node")

    with pytest.raises(NodeStartError, match="did not become healthy within 1 s"):
        node.start()

    assert not (open_dir / "node" / "node.pid").exists()
    assert processes_mentioning(open_dir) == []
