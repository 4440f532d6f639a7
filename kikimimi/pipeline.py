"""The pipeline: queue → NLP → rules → index → cases → outbox, one batch at a time.

NLP yields an ``AnalyzedMention``, the rules a ``Decision``; :func:`indexed_mention` joins
the two into the ``IndexedMention`` that is indexed and that notices carry. A mention is
serialised only where it leaves the process (the bulk request, the outbox).

Every step is idempotent, and a batch is acknowledged in the queue only after all of it
is done, so a crash (even ``kill -9``) anywhere means the batch is delivered again and
produces exactly the same documents, case updates and notice keys: mentions are upserted
by id, a mention already in a case changes nothing, and the outbox stores a key once.

A mention that fails a stage on its own (NLP or the rules raise on it, or its publication
date is implausible) is dead-lettered in the queue with its reason; the rest of its batch
goes on. When Elasticsearch is unreachable (a document had to be spooled, a request
failed) or the state directory's disk is full, the pipeline *pauses*: it claims no new
batch, and retries after a capped exponential backoff, one log line per retry, until
Elasticsearch takes requests and the spool is replayed again. Work is delayed, never
dropped: the claims of a paused pipeline are handed out again when it resumes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from alerts import CaseStore, Decision, RuleEngine, case_notices, feed_notices
from core import (
    AnalyzedMention,
    CaseConflictError,
    ElasticsearchError,
    ElasticsearchUnavailableError,
    IndexedMention,
    Mention,
    MentionQueue,
    Notice,
    QueuedMention,
    Receipt,
    RedisError,
    RedisUnavailableError,
    StorageFullError,
    disk_full_errors,
    one_line,
)
from indexer import Indexer, implausible_date

__all__ = [
    "Backoff",
    "BatchReport",
    "MentionAnalyzer",
    "NoticeOutbox",
    "Outcome",
    "Pipeline",
    "PipelineTotals",
    "indexed_mention",
]

logger = logging.getLogger(__name__)

PAUSING_ERRORS = (ElasticsearchError, CaseConflictError, StorageFullError, RedisUnavailableError)
"""What pauses the pipeline instead of stopping it: each passes by itself, given time."""
MIN_RETRY_SECONDS = 0.1
MAX_REASON_CHARS = 500


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


@dataclass(frozen=True)
class Backoff:
    """Waits between retries while paused: ``first_seconds``, then twice as long each time,
    at most ``max_seconds``."""

    first_seconds: float = 0.5
    max_seconds: float = 30.0

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1, 2, ...)."""
        first = max(self.first_seconds, MIN_RETRY_SECONDS)
        return float(min(first * 2 ** (retry - 1), max(self.max_seconds, first)))


@dataclass(frozen=True)
class _Pause:
    """Why the pipeline is paused, how many retries so far, and when the next one is due."""

    reason: str
    retries: int
    until: float


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
    spikes: int = 0  # spike alerts of the scheduler leader's sweeps in the same process
    errors: int = 0  # retries while paused (Elasticsearch unreachable, disk full)

    def add(self, report: BatchReport) -> None:
        self.mentions += report.mentions
        self.cases_opened += report.cases_opened
        self.cases_updated += report.cases_updated
        self.notices += report.notices

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
        consumer: str = "pipeline",
        lease_seconds: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        connect: Callable[[], object] | None = None,
        retry: Backoff = Backoff(),
    ) -> None:
        """``consumer`` is the name it claims under (unique per process with the Redis
        queue). ``connect`` prepares Elasticsearch (installs the index templates): it runs
        before the first batch and again at each retry after a pause. ``retry`` spaces the
        retries. The consumer's claims from before a crash are handed out again then too."""
        self.queue = queue
        self.analyzer = analyzer
        self.engine = engine
        self.indexer = indexer
        self.cases = cases
        self.outbox = outbox
        self.consumer = consumer
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.connect = connect
        self.retry = retry
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-io")
        self._tail: Future[BatchReport] | None = None
        self._started = False
        self._pause: _Pause | None = None

    @property
    def paused(self) -> str | None:
        """Why the pipeline is paused (None when it is not)."""
        return self._pause.reason if self._pause is not None else None

    @property
    def retry_in(self) -> float:
        """Seconds until the next retry while paused (0 when not paused)."""
        return max(self._pause.until - time.monotonic(), 0.0) if self._pause is not None else 0.0

    def _understand(self, claimed: Sequence[QueuedMention]) -> list[tuple[QueuedMention, Outcome]]:
        """The CPU half of a batch: NLP and rules. A mention that fails either, or whose
        publication date is implausible, is dead-lettered with its reason; the others go on."""
        now = self.clock()
        dead: list[tuple[Receipt, str]] = []
        plausible = []
        for item in claimed:
            implausible = implausible_date(item.mention.published_at, now)
            if implausible is None:
                plausible.append(item)
            else:
                dead.append((item.receipt, implausible))
        outcomes = []
        for item, analysis in self._analyze(plausible, dead):
            try:
                decision = self.engine.decide(analysis)
            except Exception as exc:  # failing on one mention, a rule stops only that one
                dead.append((item.receipt, _failure("rules", exc)))
                continue
            outcomes.append((item, Outcome(indexed_mention(analysis, decision), decision)))
        if dead:
            self.queue.dead_letter(dead)
            logger.warning(
                "%d mention(s) dead-lettered, the last because %s", len(dead), dead[-1][1]
            )
        return outcomes

    def _analyze(
        self, claimed: Sequence[QueuedMention], dead: list[tuple[Receipt, str]]
    ) -> list[tuple[QueuedMention, AnalyzedMention]]:
        """NLP for the batch at once; if that fails, for one mention at a time, the failing
        ones added to ``dead``."""
        if not claimed:
            return []
        try:
            return list(
                zip(claimed, self.analyzer.analyze([c.mention for c in claimed]), strict=True)
            )
        except Exception:
            logger.info("NLP failed on a batch of %d: analysing one at a time", len(claimed))
        results = []
        for item in claimed:
            try:
                [analysis] = self.analyzer.analyze([item.mention])
            except Exception as exc:  # failing on one mention, NLP stops only that one
                dead.append((item.receipt, _failure("NLP", exc)))
                continue
            results.append((item, analysis))
        return results

    def _act(self, claimed: Sequence[QueuedMention], outcomes: Sequence[Outcome]) -> BatchReport:
        """The I/O half: index, cases, outbox, then ack. On failure the batch stays claimed
        until the pipeline resumes (then it is handed out again)."""
        report = self._index_and_alert(outcomes)
        self.queue.ack([c.receipt for c in claimed])
        return report

    def _index_and_alert(self, outcomes: Sequence[Outcome]) -> BatchReport:
        now = self.clock()
        indexed = self.indexer.index([o.document for o in outcomes])
        if indexed.spooled:
            raise ElasticsearchUnavailableError(
                "index mentions",
                f"{indexed.spooled} document(s) spooled after: {self.indexer.last_failure}",
            )
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
        with disk_full_errors("the notice outbox"):
            self.outbox.enqueue(notices)
        return BatchReport(
            mentions=len(outcomes),
            cases_opened=opened,
            cases_updated=updated,
            notices=len(notices),
        )

    def step(self, limit: int) -> BatchReport | None:
        """One batch, overlapped: while this batch's NLP runs here, the previous batch is
        indexed and alerted on in a worker thread (Elasticsearch I/O against CPU). Returns
        the report of the batch that completed (one behind), or None when none did because
        the pipeline is paused (see :attr:`paused`; nothing is lost)."""
        if not self._ready():
            return None
        try:
            claimed = self.queue.claim(self.consumer, limit, self.lease_seconds)
            understood = self._understand(claimed)
        except PAUSING_ERRORS as exc:  # the batch in the worker may still complete
            self._pause_for(exc)
            return self._finish_paused()
        try:
            report = self.finish()
        except PAUSING_ERRORS as exc:
            self._pause_for(exc)
            return None
        try:
            if not claimed:
                self._replay_spool()
        except PAUSING_ERRORS as exc:
            self._pause_for(exc)
            return report
        if understood:
            items, outcomes = zip(*understood, strict=True)
            self._tail = self._worker.submit(self._act, items, outcomes)
        return report

    def finish(self) -> BatchReport:
        """Wait for the batch still in the worker; its report (empty if none)."""
        tail, self._tail = self._tail, None
        return tail.result() if tail is not None else BatchReport()

    def close(self) -> None:
        """Finish the batch in flight (if Elasticsearch allows), stop the worker, and give
        back what this consumer still holds (a batch that a pause interrupted), so that
        other workers take it at once."""
        try:
            self.finish()
        except PAUSING_ERRORS as exc:
            logger.warning("the last batch goes back to the queue: %s", exc)
        finally:
            self._worker.shutdown(wait=True)
        try:
            self.queue.release_consumer(self.consumer)
        except (RedisError, StorageFullError) as exc:  # its claims' lease hands them out
            logger.warning("could not give back this pipeline's claims: %s", exc)

    def _ready(self) -> bool:
        """Whether a batch may be claimed: not paused, or the retry is due and succeeds."""
        if self._started and self._pause is None:
            return True
        if self._pause is not None and time.monotonic() < self._pause.until:
            return False
        try:
            self._resume()
        except PAUSING_ERRORS as exc:
            self._pause_for(exc)
            return False
        if self._pause is not None:
            logger.warning("resumed after %d retry(ies)", self._pause.retries)
            self._pause = None
        return True

    def _resume(self) -> None:
        """Prepare Elasticsearch, hand out this consumer's claims again (from before a crash,
        or from the batches a pause interrupted), replay the spool."""
        if self.connect is not None:
            self.connect()
        released = self.queue.release_consumer(self.consumer)
        if released and not self._started:
            logger.warning("%d mention(s) claimed before a crash are processed again", released)
        self._started = True
        self._replay_spool()

    def _replay_spool(self) -> None:
        """Send what the indexer spooled; Elasticsearch is still unavailable while some of
        it cannot go."""
        if not self.indexer.spool.pending():
            return
        self.indexer.replay()
        if self.indexer.spool.pending():
            raise ElasticsearchUnavailableError(
                "replay the indexer's spool", f"still spooled after: {self.indexer.last_failure}"
            )

    def _pause_for(self, error: Exception) -> None:
        """Pause (or stay paused) because of ``error``: one log line with the next retry."""
        retries = 1 if self._pause is None else self._pause.retries + 1
        delay = self.retry.delay(retries)
        self._pause = _Pause(str(error), retries, time.monotonic() + delay)
        logger.warning("paused: %s; retry %d in %.1f s", error, retries, delay)

    def _finish_paused(self) -> BatchReport | None:
        """Wait for the batch in the worker when pausing; its report if it completed."""
        try:
            return self.finish()
        except PAUSING_ERRORS:
            return None


def _failure(stage: str, error: Exception) -> str:
    """A dead letter's reason: the stage and the error, on one bounded line."""
    return one_line(f"{stage}: {type(error).__name__}: {error}")[:MAX_REASON_CHARS]


def _reason(decision: Decision) -> str:
    return " | ".join(m.explain() for m in decision.matches if m.rule.feed)
