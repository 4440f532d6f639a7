"""A mention that fails a stage is dead-lettered in the queue with its reason, and the rest of
its batch goes on: one poison post never blocks the queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from alerts.cases import CaseStore
from alerts.rules import Decision, RuleEngine
from core.mention_queue import SqliteMentionQueue
from core.records import AnalyzedMention, Mention
from indexer.bulk import Indexer
from kikimimi.pipeline import Pipeline
from tests.kikimimi.test_pipeline import (
    RULES,
    FakeAnalyzer,
    FakeCases,
    FakeIndexer,
    ListOutbox,
    T,
)


class PoisonedAnalyzer(FakeAnalyzer):
    """Fails on any batch holding a post that says POISON, as spaCy did on a too long one."""

    def analyze(self, mentions: Sequence[Mention]) -> list[AnalyzedMention]:
        if any("POISON" in m.text for m in mentions):
            raise ValueError("[E088] Text of length 1200000 exceeds maximum of 1000000.")
        return super().analyze(mentions)


class FragileRules(RuleEngine):
    """Fails on posts that say FRAGILE, as a rule with a bug would."""

    def decide(self, mention: AnalyzedMention) -> Decision:
        if "FRAGILE" in mention.text:
            raise KeyError("high")
        return super().decide(mention)


def complaint(native_id: str, text: str, published_at: datetime = T) -> Mention:
    return Mention(
        source="hn",
        native_id=native_id,
        text=f"Hoshi Mobile billed me twice. {text}",
        published_at=published_at,
        collected_at=T,
    )


def test_mentions_failing_a_stage_are_dead_lettered_and_the_rest_processed(
    tmp_path: Path,
) -> None:
    queue = SqliteMentionQueue(tmp_path / "queue.sqlite")
    queue.put(
        [
            complaint("1", "first"),
            complaint("2", "POISON"),
            complaint("3", "FRAGILE"),
            complaint("4", "from the future", datetime(9999, 12, 31, tzinfo=UTC)),
            complaint("5", "last"),
        ]
    )
    indexer, outbox = FakeIndexer(), ListOutbox()
    pipeline = Pipeline(
        queue,
        PoisonedAnalyzer(),
        FragileRules(RULES),
        cast(Indexer, indexer),
        cast(CaseStore, FakeCases()),
        outbox=outbox,
        clock=lambda: T,
    )
    try:
        pipeline.step(10)
        report = pipeline.finish()
    finally:
        pipeline.close()
    assert [d.native_id for d in indexer.documents] == ["1", "5"]
    assert report.mentions == 2 and report.cases_opened == 2
    reasons = {letter.mention.native_id: letter.reason for letter in queue.dead_letters()}
    assert reasons.keys() == {"2", "3", "4"}
    assert reasons["2"].startswith("NLP: ValueError: [E088] Text of length 1200000")
    assert reasons["3"] == "rules: KeyError: 'high'"
    assert "published_at 9999-12-31" in reasons["4"] and "plausible" in reasons["4"]
    assert queue.depth() == 0
    queue.close()
