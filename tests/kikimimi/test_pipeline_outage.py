"""When Elasticsearch fails under the pipeline, the batch goes back to the queue and the
pipeline pauses: nothing is acknowledged, lost or raised, no batch is claimed (or spooled)
again until a retry finds Elasticsearch back, and each retry is one log line."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import cast

import pytest
from elasticsearch import Elasticsearch

from alerts.cases import CaseChange, CaseStore
from alerts.rules import CaseAction, RuleEngine
from config.settings import IndexerSettings
from core.errors import (
    CaseConflictError,
    ElasticsearchRequestError,
    ElasticsearchUnavailableError,
    KikimimiError,
)
from core.index_names import IndexNames
from core.mention_queue import SqliteMentionQueue
from core.records import Mention
from indexer.bulk import Indexer
from indexer.dead_letters import DeadLetterFile
from indexer.spool import Spool
from kikimimi.pipeline import Backoff, Pipeline
from tests.conftest import free_port
from tests.kikimimi.test_pipeline import (
    RULES,
    FakeAnalyzer,
    FakeCases,
    FakeIndexer,
    ListOutbox,
    T,
    queue_with_one_complaint,
)


class FailingCases:
    def __init__(self, error: KikimimiError) -> None:
        self.error = error

    def apply_batch(
        self, items: Sequence[tuple[CaseAction, Mention]], now: datetime
    ) -> list[CaseChange]:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        ElasticsearchUnavailableError("put mentions into their cases", "Connection refused"),
        ElasticsearchRequestError("write cases", 400, "mapper_parsing_exception: no"),
        CaseConflictError("case-1", attempts=8),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_failed_batch_is_released_and_the_step_reports_none(
    tmp_path: Path, error: KikimimiError
) -> None:
    queue = queue_with_one_complaint(tmp_path)
    pipeline = Pipeline(
        queue,
        FakeAnalyzer(),
        RuleEngine(RULES),
        cast(Indexer, FakeIndexer()),
        cast(CaseStore, FailingCases(error)),
        outbox=ListOutbox(),
        clock=lambda: T,
    )
    try:
        assert pipeline.step(10) is not None  # the batch goes to the worker
        assert pipeline.step(10) is None  # its failure shows; both claims are released
        assert queue.depth() == 1
        pipeline.step(10)
    finally:
        pipeline.close()  # the batch in flight fails too: logged, not raised
    assert queue.depth() == 1
    queue.close()


def claims_so_far(queue: SqliteMentionQueue) -> list[int]:
    """How often each queued mention was handed out."""
    rows = sqlite3.connect(queue.path).execute("SELECT deliveries FROM mentions ORDER BY receipt")
    return [int(deliveries) for (deliveries,) in rows]


def test_while_elasticsearch_is_away_nothing_is_claimed_or_spooled_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue = queue_with_one_complaint(tmp_path)
    queue.put(
        [
            Mention(
                source="hn",
                native_id=str(n),
                text="Hoshi Mobile is down",
                published_at=T,
                collected_at=T,
            )
            for n in range(2, 40)
        ]
    )
    nowhere = Elasticsearch(f"http://127.0.0.1:{free_port()}")
    indexer = Indexer(
        nowhere,
        IndexNames("kk"),
        IndexerSettings(max_retries=0),
        Spool(tmp_path / "spool"),
        DeadLetterFile(tmp_path / "dead-letters.jsonl"),
    )
    pipeline = Pipeline(
        queue,
        FakeAnalyzer(),
        RuleEngine(RULES),
        indexer,
        cast(CaseStore, FakeCases()),
        outbox=ListOutbox(),
        clock=lambda: T,
        retry=Backoff(first_seconds=0.2, max_seconds=1.0),
    )
    caplog.set_level(logging.WARNING, logger="kikimimi.pipeline")
    try:
        assert pipeline.step(10) is not None  # the first batch goes to the worker
        assert pipeline.step(10) is None  # it was spooled: paused
        for _ in range(20):  # back-pressure: while paused, steps claim nothing
            assert pipeline.step(10) is None
        assert claims_so_far(queue)[:20] == [1] * 20 and set(claims_so_far(queue)[20:]) == {0}
        time.sleep(0.25)
        assert pipeline.step(10) is None  # the retry finds it still away
        assert indexer.spool.pending_count() == 10, "each mention is spooled once"
        assert set(claims_so_far(queue)) == {0, 1}
    finally:
        pipeline.close()
        nowhere.close()
    paused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("paused")]
    assert len(paused) == 2, paused
    assert paused[0].endswith("retry 1 in 0.2 s") and paused[1].endswith("retry 2 in 0.4 s")
    assert "Elasticsearch is unavailable" in paused[1]
    assert all(r.exc_info is None for r in caplog.records), "no traceback"
    queue.close()
