"""Cases in Elasticsearch: grouping, lifecycle and SLA, with optimistic concurrency.

Every write is conditional on the ``_seq_no``/``_primary_term`` that was read, and retried
from a fresh read on a conflict, so operators and the pipeline never overwrite each other.
A new case's id is derived from its brand, author and first mention, and created with
``op_type=create``: replaying a mention after a crash finds the same case instead of
opening a second one, and a mention already in a case adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from elasticsearch import ConflictError, Elasticsearch, NotFoundError

from alerts.rules import CaseAction
from config import CaseSettings
from core import (
    PRIORITY_ORDER,
    Case,
    CaseConflictError,
    CaseEvent,
    CaseNotFoundError,
    CaseStatus,
    CaseTransitionError,
    IndexNames,
    Mention,
    elasticsearch_errors,
    response_error,
)

__all__ = ["CaseChange", "CaseStore", "author_key", "case_id_for"]

OPEN_STATUSES = ("open", "assigned", "responded")
MAX_CONFLICT_RETRIES = 8


def author_key(mention: Mention) -> str:
    """Who a case is about: the author's id or handle on that source (or the mention)."""
    who = mention.author.id or mention.author.handle
    return f"{mention.source}:{who}" if who else f"mention:{mention.id}"


def case_id_for(brand: str, key: str, first_mention_id: str) -> str:
    digest = hashlib.sha256(f"{brand}|{key}|{first_mention_id}".encode()).hexdigest()
    return f"case-{digest[:20]}"


@dataclass(frozen=True)
class CaseChange:
    """A case after a mention was applied; ``event`` is None when nothing changed."""

    case: Case
    event: Literal["opened", "mention_added"] | None


@dataclass(frozen=True)
class _Versioned:
    case: Case
    seq_no: int
    primary_term: int


class CaseStore:
    """Reads and writes cases in the ``<prefix>-cases`` index."""

    def __init__(self, client: Elasticsearch, names: IndexNames, settings: CaseSettings) -> None:
        self.client = client
        self.index = names.cases_index
        self.settings = settings
        self._recent: dict[tuple[str, str], str] = {}  # (brand, author key) -> case id

    # the pipeline's side

    @elasticsearch_errors("put a mention into its case")
    def apply(self, action: CaseAction, mention: Mention, now: datetime) -> CaseChange:
        """Open a case for the mention, or add it to its author's open case on that brand."""
        key = author_key(mention)
        existing = self._open_case(action.brand, key, now)
        if existing is not None:
            change = self._add_mention(existing, action, mention, now)
            if change is not None:
                return change
        case_id = case_id_for(action.brand, key, mention.id)
        case = self._new_case(case_id, action, mention, now)
        try:
            self.client.create(index=self.index, id=case_id, document=_doc(case))
        except ConflictError as exc:  # replayed after a crash: the case exists already
            found = self._get(case_id)
            change = None if found is None else self._add_mention(found, action, mention, now)
            if change is None:  # closed or gone meanwhile
                raise CaseConflictError(case_id, attempts=1) from exc
            return change
        self._recent[(action.brand, key)] = case_id
        return CaseChange(case, "opened")

    def _new_case(self, case_id: str, action: CaseAction, mention: Mention, now: datetime) -> Case:
        due = now + timedelta(minutes=self.settings.sla_minutes[action.priority])
        return Case(
            id=case_id,
            mention_ids=[mention.id],
            brand=action.brand,
            author=mention.author,
            priority=action.priority,
            team=action.team,
            rule=action.rule,
            reason=action.reason,
            source=mention.source,
            opened_at=now,
            updated_at=now,
            sla_due_at=due,
            do_not_market=action.do_not_market,
            history=[CaseEvent(at=now, kind="opened", mention_id=mention.id, note=action.reason)],
        )

    def _with_mention(
        self, case: Case, action: CaseAction, mention: Mention, now: datetime
    ) -> Case | None:
        """``case`` with the mention added (unchanged if it is there); None if closed."""
        if mention.id in case.mention_ids:
            return case  # already there: a replay
        if case.status == "closed":
            return None
        priority = min(case.priority, action.priority, key=PRIORITY_ORDER.__getitem__)
        due = case.opened_at + timedelta(minutes=self.settings.sla_minutes[priority])
        event = CaseEvent(at=now, kind="mention_added", mention_id=mention.id)
        return case.model_copy(
            update={
                "mention_ids": [*case.mention_ids, mention.id],
                "priority": priority,
                "sla_due_at": min(due, case.sla_due_at),
                "do_not_market": case.do_not_market or action.do_not_market,
                "updated_at": now,
                "history": [*case.history, event],
            }
        )

    def _add_mention(
        self, found: _Versioned, action: CaseAction, mention: Mention, now: datetime
    ) -> CaseChange | None:
        """Add the mention to ``found`` (one conditional write; re-read only on a conflict);
        None when the case was closed meanwhile."""
        if mention.id in found.case.mention_ids:
            return CaseChange(found.case, None)
        updated = self._update(
            found.case.id, lambda case: self._with_mention(case, action, mention, now), first=found
        )
        if updated is None:
            return None
        return CaseChange(updated, "mention_added")

    @elasticsearch_errors("put mentions into their cases")
    def apply_batch(
        self, items: Sequence[tuple[CaseAction, Mention]], now: datetime
    ) -> list[CaseChange]:
        """:meth:`apply` for a batch, in order, with three requests instead of three per
        mention: one ``mget`` and one ``msearch`` to find open cases, one ``bulk`` to write
        (creates, and updates conditional on the version read). Cases whose write conflicts
        are redone one mention at a time with :meth:`apply`."""
        keys = [(action.brand, author_key(mention)) for action, mention in items]
        found = self._find_open(list(dict.fromkeys(keys)), now)
        current: dict[tuple[str, str], Case] = {}
        changes: list[CaseChange] = []
        for (action, mention), key in zip(items, keys, strict=True):
            before = found.get(key)
            case = current.get(key) or (before.case if before is not None else None)
            updated = None if case is None else self._with_mention(case, action, mention, now)
            if case is not None and updated is not None:
                changes.append(CaseChange(updated, None if updated is case else "mention_added"))
            else:
                case_id = case_id_for(action.brand, key[1], mention.id)
                updated = self._new_case(case_id, action, mention, now)
                found[key] = None
                changes.append(CaseChange(updated, "opened"))
            current[key] = updated
        redo = self._write(current, found)
        if redo:
            for index, ((action, mention), key) in enumerate(zip(items, keys, strict=True)):
                if key in redo:
                    changes[index] = self.apply(action, mention, now)
        for key, case in current.items():
            self._recent[key] = case.id
        return changes

    def _find_open(
        self, keys: Sequence[tuple[str, str]], now: datetime
    ) -> dict[tuple[str, str], _Versioned | None]:
        since = now - timedelta(hours=self.settings.group_window_hours)
        found: dict[tuple[str, str], _Versioned | None] = {}
        cached = {key: self._recent[key] for key in keys if key in self._recent}
        if cached:
            response = self.client.mget(index=self.index, ids=sorted(set(cached.values())))
            docs = {
                str(d["_id"]): _Versioned(
                    Case.model_validate(d["_source"]), d["_seq_no"], d["_primary_term"]
                )
                for d in response["docs"]
                if d.get("found")
            }
            for key, case_id in cached.items():
                doc = docs.get(case_id)
                if doc and doc.case.status in OPEN_STATUSES and _last_activity(doc.case) >= since:
                    found[key] = doc
        missing = [key for key in keys if key not in found]
        if missing:
            searches: list[dict[str, Any]] = []
            for brand, who in missing:
                searches += [{"index": self.index}, self._open_case_query(brand, who, since)]
            responses = self.client.msearch(searches=searches)["responses"]
            for key, response in zip(missing, responses, strict=True):
                if "error" in response:
                    raise response_error(
                        "find open cases", response.get("status", 500), response["error"]
                    )
                hits = response["hits"]["hits"]
                found[key] = (
                    _Versioned(
                        Case.model_validate(hits[0]["_source"]),
                        hits[0]["_seq_no"],
                        hits[0]["_primary_term"],
                    )
                    if hits
                    else None
                )
        return found

    def _write(
        self,
        cases: dict[tuple[str, str], Case],
        read: dict[tuple[str, str], _Versioned | None],
    ) -> set[tuple[str, str]]:
        """Bulk-write the changed cases; the keys whose write conflicted."""
        operations: list[dict[str, Any]] = []
        order: list[tuple[str, str]] = []
        for key, case in cases.items():
            before = read.get(key)
            if before is None:
                operations += [{"create": {"_index": self.index, "_id": case.id}}, _doc(case)]
            elif case != before.case:
                head = {
                    "_index": self.index,
                    "_id": case.id,
                    "if_seq_no": before.seq_no,
                    "if_primary_term": before.primary_term,
                }
                operations += [{"index": head}, _doc(case)]
            else:
                continue
            order.append(key)
        if not operations:
            return set()
        response = self.client.bulk(operations=operations)
        conflicts = set()
        for key, item in zip(order, response["items"], strict=True):
            result = next(iter(item.values()))
            if result.get("status") == 409:
                conflicts.add(key)
            elif "error" in result:
                raise response_error("write cases", result["status"], result["error"])
        return conflicts

    def _open_case(self, brand: str, key: str, now: datetime) -> _Versioned | None:
        """The author's open case on the brand with activity within the window, if any."""
        since = now - timedelta(hours=self.settings.group_window_hours)
        cached = self._recent.get((brand, key))
        if cached is not None:
            found = self._get(cached)
            if found and found.case.status in OPEN_STATUSES and _last_activity(found.case) >= since:
                return found
        response = self.client.search(index=self.index, **self._open_case_query(brand, key, since))
        hits = response["hits"]["hits"]
        if not hits:
            return None
        hit = hits[0]
        self._recent[(brand, key)] = str(hit["_id"])
        return _Versioned(Case.model_validate(hit["_source"]), hit["_seq_no"], hit["_primary_term"])

    def _open_case_query(self, brand: str, key: str, since: datetime) -> dict[str, Any]:
        """Search body: the author's latest open case on the brand active since ``since``."""
        source, _, who = key.partition(":")
        author_field = "author.id" if source != "mention" else "mention_ids"
        return {
            "size": 1,
            "sort": [{"updated_at": "desc"}],
            "seq_no_primary_term": True,
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"brand": brand}},
                        {"terms": {"status": list(OPEN_STATUSES)}},
                        {"range": {"updated_at": {"gte": since.isoformat()}}},
                        {
                            "bool": {
                                "should": [
                                    {"term": {author_field: who}},
                                    {"term": {"author.handle": who}},
                                ],
                                "minimum_should_match": 1,
                            }
                        },
                        *([{"term": {"source": source}}] if source != "mention" else []),
                    ]
                }
            },
        }

    # operators' side

    @elasticsearch_errors("read a case")
    def get(self, case_id: str) -> Case:
        found = self._get(case_id)
        if found is None:
            raise CaseNotFoundError(case_id)
        return found.case

    @elasticsearch_errors("assign a case")
    def assign(self, case_id: str, to: str, now: datetime, actor: str | None = None) -> Case:
        def change(case: Case) -> Case:
            _require(case, ("open", "assigned", "responded"), "assign")
            status: CaseStatus = "assigned" if case.status == "open" else case.status
            event = CaseEvent(at=now, kind="assigned", actor=actor, note=f"to {to}")
            return case.model_copy(
                update={
                    "status": status,
                    "assigned_to": to,
                    "updated_at": now,
                    "history": [*case.history, event],
                }
            )

        return self._update_or_fail(case_id, change)

    @elasticsearch_errors("record a response to a case")
    def respond(
        self, case_id: str, now: datetime, actor: str | None = None, note: str | None = None
    ) -> Case:
        def change(case: Case) -> Case:
            _require(case, ("open", "assigned", "responded"), "respond to")
            event = CaseEvent(at=now, kind="responded", actor=actor, note=note)
            first = case.first_response_at or now
            return case.model_copy(
                update={
                    "status": "responded",
                    "first_response_at": first,
                    "sla_breached": case.sla_breached or first > case.sla_due_at,
                    "updated_at": now,
                    "history": [*case.history, event],
                }
            )

        return self._update_or_fail(case_id, change)

    @elasticsearch_errors("close a case")
    def close(
        self, case_id: str, now: datetime, csat: int | None = None, actor: str | None = None
    ) -> Case:
        def change(case: Case) -> Case:
            _require(case, OPEN_STATUSES, "close")
            event = CaseEvent(at=now, kind="closed", actor=actor, note=_csat_note(csat))
            return case.model_copy(
                update={
                    "status": "closed",
                    "closed_at": now,
                    "csat": csat,
                    "do_not_market": False,
                    "updated_at": now,
                    "history": [*case.history, event],
                }
            )

        return self._update_or_fail(case_id, change)

    @elasticsearch_errors("flag SLA breaches")
    def mark_sla_breaches(self, now: datetime) -> list[Case]:
        """Flag unanswered cases past their SLA due time (once each); returns them."""
        breached = []
        for case in self.search(status=["open", "assigned"], due_before=now, breached=False):
            if case.first_response_at is not None:
                continue

            def change(current: Case) -> Case | None:
                if current.sla_breached or current.first_response_at is not None:
                    return None
                event = CaseEvent(at=now, kind="sla_breached")
                return current.model_copy(
                    update={"sla_breached": True, "history": [*current.history, event]}
                )

            updated = self._update(case.id, change)
            if updated is not None and updated.sla_breached and not case.sla_breached:
                breached.append(updated)
        return breached

    def search(
        self,
        *,
        status: list[str] | None = None,
        brand: str | None = None,
        due_before: datetime | None = None,
        breached: bool | None = None,
        opened_from: datetime | None = None,
        opened_to: datetime | None = None,
        author_handle: str | None = None,
        do_not_market: bool | None = None,
    ) -> Iterator[Case]:
        """Cases matching every given filter, newest first (all of them, paged)."""
        filters: list[dict[str, Any]] = []
        if status:
            filters.append({"terms": {"status": status}})
        if brand:
            filters.append({"term": {"brand": brand}})
        if due_before:
            filters.append({"range": {"sla_due_at": {"lt": due_before.isoformat()}}})
        if breached is not None:
            filters.append({"term": {"sla_breached": breached}})
        if opened_from or opened_to:
            bounds = {}
            if opened_from:
                bounds["gte"] = opened_from.isoformat()
            if opened_to:
                bounds["lt"] = opened_to.isoformat()
            filters.append({"range": {"opened_at": bounds}})
        if author_handle:
            filters.append({"term": {"author.handle": author_handle}})
        if do_not_market is not None:
            filters.append({"term": {"do_not_market": do_not_market}})
        after: list[Any] | None = None
        with elasticsearch_errors("search cases"):
            while True:
                response = self.client.search(
                    index=self.index,
                    size=500,
                    sort=[{"opened_at": "desc"}, {"id": "asc"}],
                    query={"bool": {"filter": filters}},
                    search_after=after,
                )
                hits = response["hits"]["hits"]
                for hit in hits:
                    yield Case.model_validate(hit["_source"])
                if len(hits) < 500:
                    return
                after = hits[-1]["sort"]

    @elasticsearch_errors("count open cases")
    def count_open(self) -> int:
        """How many cases are not closed (0 before the cases index exists)."""
        response = self.client.count(
            index=self.index,
            query={"terms": {"status": list(OPEN_STATUSES)}},
            ignore_unavailable=True,
        )
        return int(response["count"])

    @elasticsearch_errors("refresh the cases index")
    def refresh(self) -> None:
        self.client.indices.refresh(index=self.index)

    # versioned read-modify-write

    def _get(self, case_id: str) -> _Versioned | None:
        try:
            found = self.client.get(index=self.index, id=case_id)
        except NotFoundError:
            return None
        return _Versioned(
            Case.model_validate(found["_source"]), found["_seq_no"], found["_primary_term"]
        )

    def _update(
        self,
        case_id: str,
        change: Callable[[Case], Case | None],
        first: _Versioned | None = None,
    ) -> Case | None:
        """Read (``first`` saves the first read), change, write if unchanged since; retry."""
        current = first
        for _ in range(MAX_CONFLICT_RETRIES):
            current = current or self._get(case_id)
            if current is None:
                return None
            updated = change(current.case)
            if updated is None or updated == current.case:
                return updated
            try:
                self.client.index(
                    index=self.index,
                    id=case_id,
                    document=_doc(updated),
                    if_seq_no=current.seq_no,
                    if_primary_term=current.primary_term,
                )
            except ConflictError:
                current = None  # someone else wrote first: read again and re-apply
                continue
            return updated
        raise CaseConflictError(case_id, attempts=MAX_CONFLICT_RETRIES)

    def _update_or_fail(self, case_id: str, change: Callable[[Case], Case]) -> Case:
        updated = self._update(case_id, change)
        if updated is None:
            raise CaseNotFoundError(case_id)
        return updated


def _doc(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json", exclude_none=True)


def _last_activity(case: Case) -> datetime:
    return case.updated_at or case.opened_at


def _require(case: Case, allowed: tuple[str, ...], operation: str) -> None:
    if case.status not in allowed:
        raise CaseTransitionError(case.id, case.status, operation)


def _csat_note(csat: int | None) -> str | None:
    return None if csat is None else f"CSAT {csat}/5"
