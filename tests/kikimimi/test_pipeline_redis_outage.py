"""When the Redis the queue lives in goes away under the pipeline, the pipeline pauses (one
clear reason, no exception) and, once Redis is back, processes every mention: a batch that
could not be acknowledged is handed out again, nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import pytest

from alerts.cases import CaseStore
from alerts.rules import RuleEngine
from core.records import Mention
from core.redis_boundary import redis_client
from core.redis_mention_queue import RedisMentionQueue
from indexer.bulk import Indexer
from kikimimi.pipeline import Backoff, Pipeline
from tests.conftest import MakeRedisServer
from tests.kikimimi.test_pipeline import RULES, FakeAnalyzer, FakeCases, FakeIndexer, ListOutbox, T

pytestmark = pytest.mark.redis


def test_while_redis_is_away_the_pipeline_pauses_and_afterwards_loses_nothing(
    make_redis_server: MakeRedisServer, tmp_path: Path
) -> None:
    server = make_redis_server(appendonly=True)
    queue = RedisMentionQueue(redis_client(server.url, timeout_seconds=2), "kk")
    queue.put(
        Mention(
            source="hn",
            native_id=str(n),
            text="Hoshi Mobile is down",
            published_at=T,
            collected_at=T,
        )
        for n in range(30)
    )
    indexer = FakeIndexer()
    pipeline = Pipeline(
        queue,
        FakeAnalyzer(),
        RuleEngine(RULES),
        cast(Indexer, indexer),
        cast(CaseStore, FakeCases()),
        outbox=ListOutbox(),
        clock=lambda: T,
        retry=Backoff(first_seconds=0.2, max_seconds=0.5),
    )
    try:
        assert pipeline.step(10) is not None  # the first batch goes to the worker
        server.stop()  # before or after the worker acknowledged it
        pipeline.step(10)  # no claim
        assert pipeline.paused is not None
        assert "Redis is unavailable" in pipeline.paused, pipeline.paused
        assert pipeline.step(10) is None, "paused: it waits for the retry"

        server.start()
        deadline = time.monotonic() + 30
        while (queue.depth() or pipeline.paused) and time.monotonic() < deadline:
            pipeline.step(10)
            time.sleep(0.05)
        pipeline.finish()
    finally:
        pipeline.close()
    assert queue.depth() == 0 and pipeline.paused is None
    indexed = [d.native_id for d in indexer.documents]
    assert set(indexed) == {str(n) for n in range(30)}, "every mention, once Redis is back"
    assert len(indexed) <= 40, "at most the batch in flight twice"
    queue.close()
