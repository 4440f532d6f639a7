"""What lives in files of the state directory runs once per state directory: a second
``kikimimi run`` of it is refused with the first one's PID and what to do instead, the lock
goes with the process that held it, even after ``kill -9``, and separate roles (or, with
Redis, several pipelines) share one state directory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from config import Settings
from core.errors import StateInUseError
from core.index_names import IndexNames
from kikimimi.run_lock import holding_parts, lock_holders
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import WebhookSink, _environment, wait_for


def settings(tmp_path: Path, **backends: Any) -> Settings:
    return Settings.model_validate(
        {"state_dir": str(tmp_path), **{k: {"backend": v} for k, v in backends.items()}}
    )


def refusal(settings: Settings, parts: list[str]) -> str:
    """The error that holding ``parts`` now meets."""
    with pytest.raises(StateInUseError) as refused, holding_parts(settings, parts):
        pass
    return str(refused.value)


def test_roles_of_one_state_directory_run_side_by_side_but_each_once_with_sqlite(
    tmp_path: Path,
) -> None:
    sqlite = settings(tmp_path)
    with holding_parts(sqlite, ["scheduler"]), holding_parts(sqlite, ["pipeline"]):
        with holding_parts(sqlite, ["notifier"]):
            assert set(lock_holders(sqlite)) == {"scheduler", "pipeline", "notifier"}
        message = refusal(sqlite, ["pipeline"])
        assert f"(pid {os.getpid()}) runs the pipeline on the state directory" in message
        assert "queue.backend: redis" in message, "the error names the setting"
        assert "runs the scheduler" in refusal(sqlite, ["scheduler", "pipeline", "notifier"])
        assert set(lock_holders(sqlite)) == {"scheduler", "pipeline"}, "all or nothing"
    assert lock_holders(sqlite) == {}


def test_with_redis_any_number_of_pipelines_and_schedulers_share_a_state_directory(
    tmp_path: Path,
) -> None:
    shared = settings(tmp_path, queue="redis", outbox="redis")
    parts = ["scheduler", "pipeline", "notifier"]
    with holding_parts(shared, parts), holding_parts(shared, parts):
        assert lock_holders(shared) == {}
    redis_queue = settings(tmp_path, queue="redis")
    with holding_parts(redis_queue, parts), holding_parts(redis_queue, ["pipeline"]):
        assert "outbox.backend: redis" in refusal(redis_queue, ["notifier"])


@pytest.mark.elasticsearch
@pytest.mark.slow
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
