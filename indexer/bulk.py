"""The indexer: idempotent bulk writes with retries, dead letters and an outage spool.

Every mention handed in ends up indexed (created or updated in place, ``_id`` = mention id),
dead-lettered with its reason (invalid record, a publication date outside the plausible
window of :mod:`indexer.plausibility`, or a permanent 4xx from Elasticsearch), or
spooled on disk when Elasticsearch stays unreachable or overloaded (429 / 5xx / connection
errors after ``max_retries`` capped exponential backoffs). The spool is replayed, oldest
first, at the start of the next :meth:`Indexer.index` call or by :meth:`Indexer.replay`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from config import IndexerSettings
from core import (
    IndexedMention,
    IndexNames,
    Mention,
    RecordError,
    error_reason,
    is_transient_status,
    parse_record,
)
from indexer.actions import BulkDoc, batches
from indexer.dead_letters import DeadLetterFile
from indexer.plausibility import implausible_date
from indexer.spool import Spool, read_spool_file

DOCUMENT_FIELDS = frozenset(IndexedMention.model_fields) - frozenset(Mention.model_fields)
MentionInput = Mention | Mapping[str, Any] | str | bytes


@dataclass
class IndexReport:
    """Counts of one indexing call.

    ``indexed + updated + dead_lettered + spooled == inputs + replayed``: ``replayed`` counts
    documents taken out of the spool (and then indexed, updated or dead-lettered).
    """

    indexed: int = 0
    updated: int = 0
    dead_lettered: int = 0
    spooled: int = 0
    replayed: int = 0

    def __iadd__(self, other: IndexReport) -> IndexReport:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


class Indexer:
    """Writes mentions to their monthly indices; never drops one. ``last_failure`` says why
    documents were last spooled."""

    def __init__(
        self,
        client: Elasticsearch,
        names: IndexNames,
        settings: IndexerSettings,
        spool: Spool,
        dead_letters: DeadLetterFile,
        *,
        progress: Callable[[IndexReport], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client.options(max_retries=0)
        self._names = names
        self._settings = settings
        self.spool = spool
        self.dead_letters = dead_letters
        self._progress = progress
        self._sleep = sleep
        self._clock = clock
        self._down_until = 0.0
        self.last_failure: str | None = None

    def index(self, mentions: Iterable[MentionInput]) -> IndexReport:
        """Index ``mentions`` (records, or JSON objects/lines to validate) in bounded batches."""
        report = IndexReport()
        if self.spool.pending():
            report += self._replay()
        docs = self._docs(mentions, report)
        for batch in batches(docs, self._settings.batch_size, self._settings.batch_bytes):
            undelivered = self._deliver(batch, report)
            if undelivered:
                self.spool.write(undelivered)
                report.spooled += len(undelivered)
            if self._progress is not None:
                self._progress(report)
        return report

    def replay(self) -> IndexReport:
        """Send spooled documents now, oldest file first; stop at the first that cannot go out."""
        self._down_until = 0.0
        return self._replay()

    def _replay(self) -> IndexReport:
        report = IndexReport()
        for path in self.spool.pending():
            docs = read_spool_file(path)
            before = report.indexed + report.updated + report.dead_lettered
            undelivered = self._deliver(docs, report)
            report.replayed += report.indexed + report.updated + report.dead_lettered - before
            self.spool.replace(path, undelivered)
            if undelivered:
                break
        return report

    def _docs(self, mentions: Iterable[MentionInput], report: IndexReport) -> Iterator[BulkDoc]:
        invalid: list[Mapping[str, Any]] = []
        now = self._clock()
        for number, item in enumerate(mentions, start=1):
            try:
                mention = item if isinstance(item, Mention) else _parse_mention(item)
            except RecordError as exc:
                invalid.append(
                    {
                        "input_number": number,
                        "reason": str(exc),
                        "field": exc.field,
                        "document": _as_text(item),
                    }
                )
                continue
            implausible = implausible_date(mention.published_at, now)
            if implausible is not None:
                invalid.append(
                    {
                        "input_number": number,
                        "id": mention.id,
                        "reason": implausible,
                        "field": "published_at",
                        "document": mention.model_dump_json(exclude_none=True),
                    }
                )
                continue
            yield BulkDoc.from_mention(mention, self._names)
        self.dead_letters.write(invalid)
        report.dead_lettered += len(invalid)

    def _deliver(self, docs: Sequence[BulkDoc], report: IndexReport) -> list[BulkDoc]:
        """Send ``docs`` with retries; count outcomes; return those still undeliverable."""
        if time.monotonic() < self._down_until:
            return list(docs)
        pending = list(docs)
        failure = ""
        for attempt in range(self._settings.max_retries + 1):
            if attempt:
                self._sleep(self._backoff(attempt))
            try:
                body = b"".join(d.body() for d in pending)  # pre-serialized NDJSON, sent as is
                response = self._client.bulk(operations=body)  # type: ignore[arg-type]
            except ApiError as exc:
                if not is_transient_status(exc.meta.status):
                    self._dead_letter(pending, exc.meta.status, str(exc), report)
                    return []
                failure = str(exc)
                continue
            except TransportError as exc:
                failure = str(exc)
                continue
            pending, failure = self._settle(pending, response["items"], report)
            if not pending:
                return []
        self._down_until = time.monotonic() + self._settings.max_backoff_seconds
        self.last_failure = " ".join(failure.split())
        return pending

    def _settle(
        self, docs: Sequence[BulkDoc], items: Sequence[Mapping[str, Any]], report: IndexReport
    ) -> tuple[list[BulkDoc], str]:
        """Count a bulk response's items; the documents to retry (429, 5xx) and why."""
        retry: list[BulkDoc] = []
        why = ""
        failed: list[Mapping[str, Any]] = []
        for doc, item in zip(docs, items, strict=True):
            result = item["index"]
            status = int(result["status"])
            if status == 201:
                report.indexed += 1
            elif status == 200:
                report.updated += 1
            elif is_transient_status(status):
                retry.append(doc)
                why = f"{status}: {error_reason(result.get('error'))}"
            else:
                failed.append(_dead_entry(doc, status, error_reason(result.get("error"))))
        self.dead_letters.write(failed)
        report.dead_lettered += len(failed)
        return retry, why

    def _dead_letter(
        self, docs: Sequence[BulkDoc], status: int, reason: str, report: IndexReport
    ) -> None:
        self.dead_letters.write([_dead_entry(doc, status, reason) for doc in docs])
        report.dead_lettered += len(docs)

    def _backoff(self, attempt: int) -> float:
        delay = self._settings.initial_backoff_seconds * 2 ** (attempt - 1)
        return float(min(delay, self._settings.max_backoff_seconds))


def _parse_mention(item: Mapping[str, Any] | str | bytes) -> Mention:
    data: Any = item
    if isinstance(item, str | bytes):
        try:
            data = json.loads(item)
        except ValueError as exc:
            raise RecordError(
                "Mention", "(json)", f"not valid JSON: {exc}", _as_text(item)
            ) from exc
    if not isinstance(data, Mapping):
        raise RecordError("Mention", "(record)", "must be a JSON object", data)
    model = IndexedMention if DOCUMENT_FIELDS & data.keys() else Mention
    return parse_record(model, data)


def _dead_entry(doc: BulkDoc, status: int, reason: str) -> dict[str, Any]:
    return {
        "id": doc.id,
        "index": doc.index,
        "status": status,
        "reason": reason,
        "document": doc.source.decode(errors="replace"),
    }


def _as_text(item: Any) -> Any:
    if isinstance(item, bytes):
        return item.decode(errors="replace")
    return item if isinstance(item, str) else dict(item) if isinstance(item, Mapping) else item
