"""The main job asks the queue's Redis how much is left outside the pipeline too (its
progress line, whether it is idle, the summary at the end): Redis away there leaves the count
unknown and the job going (the pipeline pauses on it by itself), never ends it."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from alerts import Outbox
from alerts.cases import CaseStore
from alerts.rules import RuleEngine
from core.redis_boundary import redis_client
from core.redis_mention_queue import RedisMentionQueue
from indexer.bulk import Indexer
from kikimimi import main_job
from kikimimi.pipeline import Pipeline, PipelineTotals
from tests.conftest import MakeRedisServer
from tests.kikimimi.test_pipeline import RULES, FakeAnalyzer, FakeCases, FakeIndexer, ListOutbox

pytestmark = pytest.mark.redis


def test_redis_away_leaves_the_counts_unknown_and_the_job_not_idle(
    make_redis_server: MakeRedisServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server = make_redis_server()
    queue = RedisMentionQueue(redis_client(server.url, timeout_seconds=1), "kk")
    pipeline = Pipeline(
        queue,
        FakeAnalyzer(),
        RuleEngine(RULES),
        cast(Indexer, FakeIndexer()),
        cast(CaseStore, FakeCases()),
        outbox=ListOutbox(),
    )
    parts = main_job._Parts(cast(Outbox, None), pipeline=pipeline)
    assert main_job._work_left(parts).idle, "an empty queue: idle"
    server.stop()
    try:
        left = main_job._work_left(parts)
        assert not left.idle
        [unknown] = left.unknown
        assert unknown.startswith("the mentions queued (") and "Redis is unavailable" in unknown
        final = main_job._work_left(parts, final=True)
        assert len(final.unknown) == 2, "the queue and its dead letters"
        assert "unknown: the mentions queued" in final.describe()

        progress = main_job._Progress(pipeline, PipelineTotals(), live=True)
        progress.show()
        assert "queue ? " in capsys.readouterr().err
    finally:
        pipeline.close()  # its claims cannot go back now: a warning, not an error
        queue.close()
