"""One ``kikimimi run`` per state directory: a second one is refused with the first one's PID,
and the lock goes with the process that held it, even after ``kill -9``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.index_names import IndexNames
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import WebhookSink, _environment, wait_for

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


def test_a_second_run_on_the_same_state_directory_is_refused_until_the_first_is_gone(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> None:
    imports = tmp_path / "export.jsonl"
    imports.write_text("", encoding="utf-8")
    log = tmp_path / "first.log"
    with StandinServer(WebhookSink()) as hook:
        job = _environment(
            tmp_path / "job", elasticsearch_node.url, index_names.prefix, hook.url, imports
        )
        with log.open("w", encoding="utf-8") as stderr:
            first = subprocess.Popen(
                job.command("run", "--no-schedule"), stdout=subprocess.DEVNULL, stderr=stderr
            )
        try:
            wait_for(lambda: "loading the NLP models" in log.read_text(encoding="utf-8"), 120)

            second = job.call("run", "--no-schedule", "--until-idle")

            assert second.returncode == 1, second.stderr
            [line] = second.stderr.splitlines()
            assert line.startswith("error: ")
            assert f"pid {first.pid}" in line and str(job.root / "var") in line
            assert first.poll() is None, "the first run goes on"
        finally:
            first.kill()  # SIGKILL: no chance to clean up
            first.wait()
        job.run("run", "--no-schedule", "--until-idle")
