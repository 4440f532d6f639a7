"""``run --until-idle`` is idle only when the queue, the spool and the outbox are drained;
stopped before that, it exits non-zero saying what is left, and ``status`` shows it too."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from alerts.notify.sqlite_outbox import SqliteOutbox
from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from core.mention_queue import SqliteMentionQueue
from standins.server import Reply, Request, StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import _environment

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


class FlakyWebhook:
    """Answers 503 until ``recover`` is set, then 200; counts what it took."""

    def __init__(self) -> None:
        self.recover = threading.Event()
        self.taken = 0

    def __call__(self, request: Request) -> Reply:
        if not self.recover.is_set():
            return Reply(503, b"down for maintenance")
        self.taken += 1
        return Reply(200, b"{}")


def test_notices_still_pending_are_not_idle(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> None:
    webhook = FlakyWebhook()
    with StandinServer(webhook) as hook:
        job = _environment(
            tmp_path,
            elasticsearch_node.url,
            index_names.prefix,
            f"{hook.url}/hook",
            tmp_path / "unused.jsonl",
            extra={
                "sources": [],
                "alerting": {
                    "retry_seconds": 1,
                    "max_retry_seconds": 2,
                    "spikes": {"enabled": False},
                },
            },
        )
        queue = SqliteMentionQueue(job.root / "var" / "queue" / "mentions.sqlite")
        queue.put(generate_mentions(80, seed=4))
        queue.close()

        stopped = job.call("run", "--no-schedule", "--until-idle", "--for", "25")

        assert stopped.returncode == 3, stopped.stderr[-3000:]
        last = stopped.stderr.splitlines()[-1]
        assert last.startswith("stopped before idle: ") and "notice(s) pending" in last
        status = job.call("status")
        assert status.returncode == 3
        [outbox_line] = [s for s in status.stdout.splitlines() if s.startswith("outbox:")]
        assert "retrying" in outbox_line

        webhook.recover.set()
        job.run("run", "--no-schedule", "--until-idle")

        with SqliteOutbox(job.root / "var" / "alerts" / "outbox.sqlite") as outbox:
            counts = outbox.counts()
        assert counts.pending == 0 and counts.delivered == webhook.taken > 0
        job.run("status")
