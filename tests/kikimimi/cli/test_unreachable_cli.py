"""An unreachable Elasticsearch gives one clear line naming what failed, never a traceback
(the CLI runs as a process, so its real stderr and logging are what is checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import free_port


def kikimimi(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "k.yaml"
    nowhere = f"http://127.0.0.1:{free_port()}"
    config.write_text(
        yaml.safe_dump({"state_dir": "var", "sources": [], "elasticsearch": {"hosts": [nowhere]}})
    )
    command = [sys.executable, "-m", "kikimimi", "--config", str(config), *args]
    return subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def test_a_command_fails_with_one_line_naming_the_operation(tmp_path: Path) -> None:
    result = kikimimi(tmp_path, "cases", "list")
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: could not search cases: Elasticsearch is unavailable: ")
    assert "Connection refused" in line


def test_status_shows_why_elasticsearch_is_unavailable_on_its_line(tmp_path: Path) -> None:
    result = kikimimi(tmp_path, "status")
    assert result.returncode == 3, result.stderr
    assert result.stderr == ""
    [line] = [line for line in result.stdout.splitlines() if line.startswith("elasticsearch:")]
    assert line.startswith(
        "elasticsearch:  could not check the cluster's health: Elasticsearch is unavailable: "
    )


def test_a_local_node_that_does_not_run_exits_3_as_a_process(tmp_path: Path) -> None:
    result = kikimimi(tmp_path, "es", "status")
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("not running (")
