"""A disk under the state directory that fills up mid-run (the run's own files fill 3 MB)
pauses ``kikimimi run`` with one clear line per retry, leaves no partial file, and once
space returns every mention gets through. The state lives on a real tmpfs (root only;
skipped otherwise)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from core.mention_queue import SqliteMentionQueue
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import WebhookSink, _environment, _indexed_so_far, wait_for
from tests.small_filesystem import FILLER, fill, grow, small_filesystem

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


def test_a_full_disk_pauses_the_run_and_nothing_is_lost(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    mentions = generate_mentions(600, seed=3)
    log = tmp_path / "run.log"
    with small_filesystem(tmp_path / "state", "3m") as state, StandinServer(WebhookSink()) as hook:
        job = _environment(
            tmp_path,
            elasticsearch_node.url,
            index_names.prefix,
            hook.url,
            tmp_path / "unused.jsonl",
            extra={
                "sources": [],
                "state_dir": str(state),
                "indexer": {"initial_backoff_seconds": 0.2, "max_backoff_seconds": 2},
            },
        )
        queue = SqliteMentionQueue(state / "queue" / "mentions.sqlite")
        queue.put(mentions)
        queue.close()
        with log.open("w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                job.command("run", "--no-schedule", "--until-idle", "--batch-size", "32"),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            wait_for(
                lambda: (
                    "disk is full" in log.read_text("utf-8")
                    or _indexed_so_far(es, index_names) >= 64
                ),
                timeout=300,
            )
            fill(state)  # if the run's own files have not filled the disk yet
            wait_for(
                lambda: process.poll() is not None or "disk is full" in log.read_text("utf-8"),
                timeout=120,
            )
            time.sleep(3)
            assert process.poll() is None, log.read_text("utf-8")[-3000:]
            assert not list(state.rglob("*.tmp")), "no partial file"
            (state / FILLER).unlink()
            grow(state, "64m")
            code = process.wait(timeout=300)
        finally:
            process.kill()
        leftovers = list(state.rglob("*.tmp"))
        queue = SqliteMentionQueue(state / "queue" / "mentions.sqlite")
        depth = queue.depth()
        queue.close()
    text = log.read_text(encoding="utf-8")
    assert code == 0, text[-3000:]
    assert "Traceback" not in text
    full = [line for line in text.splitlines() if "disk is full" in line]
    assert full and all("paused" in line or "notifier" in line for line in full), full
    assert len(full) < 20
    assert leftovers == [] and depth == 0
    assert _indexed_so_far(es, index_names) == len(mentions)
