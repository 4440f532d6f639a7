"""The pipeline: queue → NLP → rules → index → cases → outbox, one batch at a time.

NLP yields an ``AnalyzedMention``, the rules a ``Decision``; :func:`indexed_mention` joins
the two into the ``IndexedMention`` that is indexed and that notices carry. A mention is
serialised only where it leaves the process (the bulk request, the outbox).

Every step is idempotent, and a batch is acknowledged in the queue only after all of it
is done, so a crash (even ``kill -9``) anywhere means the batch is delivered again and
produces exactly the same documents, case updates and notice keys: mentions are upserted
by id, a mention already in a case changes nothing, and the outbox stores a key once.
When Elasticsearch is unreachable the batch is left unacknowledged and retried after a
pause: work is delayed, never dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from alerts import (
    CaseStore,
    Decision,
    RuleEngine,
    SpikeDetector,
    case_notices,
    feed_notices,
    spike_notices,
)
from core import (
    AnalyzedMention,
    CaseConflictError,
    ElasticsearchError,
    IndexedMention,
    Mention,
    MentionQueue,
    Notice,
    QueuedMention,
)
from indexer import Indexer

__all__ = [
    "BatchReport",
    "MentionAnalyzer",
    "NoticeOutbox",
    "Outcome",
    "Pipeline",
    "PipelineTotals",
    "indexed_mention",
]

logger = logging.getLogger(__name__)


class MentionAnalyzer(Protocol):
    def analyze(self, mentions: Sequence[Mention]) -> list[AnalyzedMention]: ...


class NoticeOutbox(Protocol):
    def enqueue(self, notices: Sequence[Notice]) -> int: ...


@dataclass(frozen=True)
class BatchReport:
    """What one batch did."""

    mentions: int = 0
    cases_opened: int = 0
    cases_updated: int = 0
    notices: int = 0
    spikes: int = 0


@dataclass(frozen=True)
class Outcome:
    """One mention after NLP and rules: the document to index, and what the rules decided."""

    document: IndexedMention
    decision: Decision


def indexed_mention(analysis: AnalyzedMention, decision: Decision) -> IndexedMention:
    """The document indexed for a mention, built here only: what NLP found, the VIP flag,
    the rules that fired and the team feeds (by name) the rules decided."""
    return IndexedMention(
        **analysis.fields_of(AnalyzedMention),
        vip=decision.vip,
        rules=decision.rule_names,
        feeds=sorted(decision.feeds),
    )


@dataclass
class PipelineTotals:
    """Running totals since the pipeline started."""

    started: float = field(default_factory=time.monotonic)
    mentions: int = 0
    cases_opened: int = 0
    cases_updated: int = 0
    notices: int = 0
    spikes: int = 0
    errors: int = 0

    def add(self, report: BatchReport) -> None:
        self.mentions += report.mentions
        self.cases_opened += report.cases_opened
        self.cases_updated += report.cases_updated
        self.notices += report.notices
        self.spikes += report.spikes

    @property
    def rate(self) -> float:
        return self.mentions / max(time.monotonic() - self.started, 1e-9)


class Pipeline:
    """Processes queued mentions through every stage after the crawlers."""

    def __init__(
        self,
        queue: MentionQueue,
        analyzer: MentionAnalyzer,
        engine: RuleEngine,
        indexer: Indexer,
        cases: CaseStore,
        *,
        outbox: NoticeOutbox,
        spikes: SpikeDetector | None = None,
        spike_channels: Sequence[str] = (),
        spike_every_seconds: float = 300.0,
        consumer: str = "pipeline",
        lease_seconds: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.queue = queue
        self.analyzer = analyzer
        self.engine = engine
        self.indexer = indexer
        self.cases = cases
        self.outbox = outbox
        self.spikes = spikes
        self.spike_channels = tuple(spike_channels)
        self.spike_every_seconds = spike_every_seconds
        self.consumer = consumer
        self.lease_seconds = lease_seconds
        self.clock = clock
        self._next_spike_check = 0.0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-io")
        self._tail: Future[BatchReport] | None = None
        released = queue.release_consumer(consumer)  # ours from before a crash: redo them now
        if released:
            logger.warning("%d mention(s) claimed before a crash are processed again", released)

    def _understand(self, claimed: Sequence[QueuedMention]) -> list[Outcome]:
        """The CPU half of a batch: NLP and rules."""
        analyzed = self.analyzer.analyze([c.mention for c in claimed])
        decisions = [self.engine.decide(a) for a in analyzed]
        return [Outcome(indexed_mention(a, d), d) for a, d in zip(analyzed, decisions, strict=True)]

    def _act(self, claimed: Sequence[QueuedMention], outcomes: Sequence[Outcome]) -> BatchReport:
        """The I/O half: index, cases, outbox, then ack; on failure the batch is released
        (handed out again at once, not after the lease)."""
        receipts = [c.receipt for c in claimed]
        try:
            report = self._index_and_alert(outcomes)
        except BaseException:
            self.queue.release(receipts)
            raise
        self.queue.ack(receipts)
        return report

    def _index_and_alert(self, outcomes: Sequence[Outcome]) -> BatchReport:
        now = self.clock()
        self.indexer.index([o.document for o in outcomes])
        opened = updated = 0
        notices: list[Notice] = []
        casing = [(o.decision.case, o.document) for o in outcomes if o.decision.case is not None]
        for (action, document), change in zip(
            casing, self.cases.apply_batch(casing, now), strict=True
        ):
            if change.event == "opened":
                opened += 1
            elif change.event == "mention_added":
                updated += 1
            notices += case_notices(change.case, document, action.notify, now)
        for outcome in outcomes:
            reason = _reason(outcome.decision)
            for feed, channels in outcome.decision.feeds.items():
                notices += feed_notices(feed, outcome.document, channels, now, reason)
        self.outbox.enqueue(notices)
        return BatchReport(
            mentions=len(outcomes),
            cases_opened=opened,
            cases_updated=updated,
            notices=len(notices),
        )

    def check_spikes(self, force: bool = False) -> int:
        """Evaluate spike alerts when due; returns how many fired."""
        if self.spikes is None or (not force and time.monotonic() < self._next_spike_check):
            return 0
        self._next_spike_check = time.monotonic() + self.spike_every_seconds
        now = self.clock()
        alerts = self.spikes.evaluate(now)
        notices = [n for a in alerts for n in spike_notices(a, self.spike_channels, now)]
        self.outbox.enqueue(notices)
        self.spikes.commit()
        for alert in alerts:
            logger.warning("spike alert: %s", alert.reason())
        return len(alerts)

    def step(self, limit: int) -> BatchReport | None:
        """One batch, overlapped: while this batch's NLP runs here, the previous batch is
        indexed and alerted on in a worker thread (Elasticsearch I/O against CPU). Returns
        the report of the batch that completed (one behind), or None when Elasticsearch
        is unreachable (the batches involved are released to the queue, nothing is lost)."""
        claimed = self.queue.claim(self.consumer, limit, self.lease_seconds)
        try:
            outcomes = self._understand(claimed) if claimed else []
        except BaseException:
            self.queue.release([c.receipt for c in claimed])
            raise
        try:
            report = self.finish()
            spikes = self.check_spikes()
        except (ElasticsearchError, CaseConflictError) as exc:
            logger.warning("batch back to the queue, will retry: %s", exc)
            self.queue.release([c.receipt for c in claimed])
            return None
        if claimed:
            self._tail = self._worker.submit(self._act, claimed, outcomes)
        if spikes:
            report = replace(report, spikes=spikes)
        return report

    def finish(self) -> BatchReport:
        """Wait for the batch still in the worker; its report (empty if none)."""
        tail, self._tail = self._tail, None
        return tail.result() if tail is not None else BatchReport()

    def close(self) -> None:
        """Finish the batch in flight (if Elasticsearch allows) and stop the worker."""
        try:
            self.finish()
        except (ElasticsearchError, CaseConflictError) as exc:
            logger.warning("the last batch goes back to the queue: %s", exc)
        finally:
            self._worker.shutdown(wait=True)


def _reason(decision: Decision) -> str:
    return " | ".join(m.explain() for m in decision.matches if m.rule.feed)
