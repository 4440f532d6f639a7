"""When Elasticsearch fails under the pipeline, the batch goes back to the queue and the
pipeline carries on: nothing is acknowledged, nothing is lost, nothing is raised."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import cast

import pytest

from alerts.cases import CaseChange, CaseStore
from alerts.rules import CaseAction, RuleEngine
from core.errors import (
    CaseConflictError,
    ElasticsearchRequestError,
    ElasticsearchUnavailableError,
    KikimimiError,
)
from core.records import Mention
from indexer.bulk import Indexer
from kikimimi.pipeline import Pipeline
from tests.kikimimi.test_pipeline import (
    RULES,
    FakeAnalyzer,
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
