"""The pipeline's records: NLP output and the rules' decision join into one indexed document,
which is what gets indexed and what the notices carry, without serialisation in between."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

from alerts.cases import CaseChange, CaseStore
from alerts.rules import CaseAction, RuleEngine
from config.rules import RuleSettings
from core.mention_queue import SqliteMentionQueue
from core.records import (
    AnalyzedMention,
    Author,
    BrandMatch,
    Case,
    IndexedMention,
    Mention,
    Notice,
    Sentiment,
)
from indexer.bulk import Indexer, IndexReport
from indexer.spool import Spool
from indexer.templates import mentions_mappings
from kikimimi.pipeline import Pipeline, indexed_mention

T = datetime(2026, 11, 20, tzinfo=UTC)
RULES = [
    RuleSettings(
        name="own-complaint",
        brand_role="own",
        sentiment=["negative"],
        open_case=True,
        priority="high",
        team="care",
        notify=["hook"],
    ),
    RuleSettings(name="to-marketing", sentiment=["negative"], feed="marketing", notify=["hook"]),
]


def analyse(mention: Mention) -> AnalyzedMention:
    return AnalyzedMention(
        **mention.fields_of(Mention),
        detected_lang="en",
        brands=[BrandMatch(brand="Hoshi Mobile", role="own", tagged=False)],
        sentiment=Sentiment(
            label="negative",
            score=0.9,
            probabilities={"negative": 0.9, "neutral": 0.05, "positive": 0.05},
            model="m",
        ),
        intent="complaint",
    )


class FakeAnalyzer:
    def analyze(self, mentions: Sequence[Mention]) -> list[AnalyzedMention]:
        return [analyse(m) for m in mentions]


class FakeIndexer:
    """Takes every document; its spool stays empty."""

    def __init__(self) -> None:
        self.documents: list[Mention] = []
        self.spool = Spool(Path("/nonexistent/spool"))

    def index(self, mentions: Sequence[Mention]) -> IndexReport:
        self.documents += mentions
        return IndexReport(indexed=len(mentions))


class FakeCases:
    def apply_batch(
        self, items: Sequence[tuple[CaseAction, Mention]], now: datetime
    ) -> list[CaseChange]:
        return [
            CaseChange(
                Case(
                    id=f"case-{mention.id}",
                    mention_ids=[mention.id],
                    brand=action.brand,
                    author=mention.author,
                    rule=action.rule,
                    opened_at=now,
                    sla_due_at=now + timedelta(hours=1),
                ),
                "opened",
            )
            for action, mention in items
        ]


class ListOutbox:
    def __init__(self) -> None:
        self.notices: list[Notice] = []

    def enqueue(self, notices: Sequence[Notice]) -> int:
        self.notices += notices
        return len(notices)


def test_the_indexed_document_joins_what_nlp_found_and_what_the_rules_decided() -> None:
    analysis = analyse(
        Mention(
            source="hn",
            native_id="1",
            text="Hoshi Mobile billed me twice",
            author=Author(handle="famous"),
            published_at=T,
            collected_at=T,
        )
    )
    decision = RuleEngine(RULES, vip_authors=["famous"]).decide(analysis)
    document = indexed_mention(analysis, decision)
    assert document.fields_of(AnalyzedMention) == analysis.fields_of(AnalyzedMention)
    assert (document.vip, document.rules, document.feeds) == (
        True,
        ["own-complaint", "to-marketing"],
        ["marketing"],
    )
    mapped = mentions_mappings("standard")["properties"]
    assert set(IndexedMention.model_fields) == set(mapped), "every field is mapped, and only those"


def queue_with_one_complaint(tmp_path: Path) -> SqliteMentionQueue:
    """A queue holding one complaint about the own brand."""
    queue = SqliteMentionQueue(tmp_path / "queue.sqlite")
    queue.put(
        [
            Mention(
                source="hn",
                native_id="1",
                text="Hoshi Mobile billed me twice",
                published_at=T,
                collected_at=T,
            )
        ]
    )
    return queue


def test_one_document_is_indexed_and_carried_by_the_notices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = queue_with_one_complaint(tmp_path)
    indexer, outbox = FakeIndexer(), ListOutbox()
    pipeline = Pipeline(
        queue,
        FakeAnalyzer(),
        RuleEngine(RULES),
        cast(Indexer, indexer),
        cast(CaseStore, FakeCases()),
        outbox=outbox,
        clock=lambda: T,
    )

    def no_serialisation(*args: object, **kwargs: object) -> None:
        raise AssertionError("a mention was dumped or copied inside the pipeline")

    for name in ("model_dump", "model_dump_json", "model_copy"):
        monkeypatch.setattr(Mention, name, no_serialisation)
    try:
        pipeline.step(10)
        report = pipeline.finish()
    finally:
        pipeline.close()
        queue.close()
    [document] = indexer.documents
    assert isinstance(document, IndexedMention)
    assert (document.rules, document.feeds) == (["own-complaint", "to-marketing"], ["marketing"])
    assert [n.kind for n in outbox.notices] == ["case_opened", "feed"]
    assert all(n.mention is document for n in outbox.notices)
    assert (report.mentions, report.cases_opened, report.notices) == (1, 1, 2)
