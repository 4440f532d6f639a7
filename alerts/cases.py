"""Cases in Elasticsearch: grouping, case work, SLA, the inbox, with optimistic concurrency.

Every write is conditional on the ``_seq_no``/``_primary_term`` that was read, and retried
from a fresh read on a conflict, so operators and the pipeline never overwrite each other
(what each piece of case work does is in :mod:`alerts.case_work`; the inbox query in
:mod:`alerts.inbox`). Which case is an author's open one on a brand is an owner pointer read
by id (:mod:`alerts.case_owners`), so pipelines on several processes see a case opened a
moment ago: a new case first claims the pointer (created, or moved conditionally), then is
created. Its id is derived from its brand, author and first mention (or is the id a pointer
names whose case was not written yet), created with ``op_type=create``: replaying a mention
after a crash finds the same case instead of opening a second one, and a mention already in
a case adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from elasticsearch import ConflictError, Elasticsearch, NotFoundError

from alerts import case_work as work
from alerts.case_owners import CaseOwners, Owner, OwnerKey, bulk_conflicts, found_by_id
from alerts.excerpts import excerpt
from alerts.inbox import CasePage, CaseQuery, inbox_page, inbox_search
from alerts.rules import CaseAction
from config import CaseSettings
from core import (
    OPEN_CASE_STATUSES,
    PRIORITY_ORDER,
    Case,
    CaseConflictError,
    CaseEvent,
    CaseMergeError,
    CaseNotFoundError,
    CaseValueError,
    IndexNames,
    Mention,
    elasticsearch_errors,
    response_error,
)

__all__ = ["CaseChange", "CaseStore", "author_key", "case_id_for"]

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


@dataclass(frozen=True)
class _Read:
    """What was read for one (brand, author key): the owner pointer, the open case to join
    (if any), and the case id the pointer names where that case is not written (yet)."""

    owner: Owner | None
    open: _Versioned | None
    reserved: str | None

    def opening_id(self, brand: str, key: str, mention: Mention) -> str:
        """The id of a case the mention opens: the one the pointer reserved (another writer
        is creating it, or crashed before it did), else derived from the mention."""
        return self.reserved or case_id_for(brand, key, mention.id)

    def needs_claim(self, case_id: str) -> bool:
        """Whether writing to ``case_id`` first needs the pointer moved to it."""
        return self.owner is None or self.owner.case_id != case_id


class CaseStore:
    """Reads and writes cases in the ``<prefix>-cases`` index; which case is an author's open
    one is in the ``<prefix>-case-owners`` index (:mod:`alerts.case_owners`)."""

    def __init__(self, client: Elasticsearch, names: IndexNames, settings: CaseSettings) -> None:
        self.client = client
        self.index = names.cases_index
        self.owners = CaseOwners(client, names.case_owners_index)
        self.settings = settings

    # the pipeline's side

    @elasticsearch_errors("put a mention into its case")
    def apply(self, action: CaseAction, mention: Mention, now: datetime) -> CaseChange:
        """Open a case for the mention, or add it to its author's open case on that brand.
        Of writers opening a case for one author at once, one claims the author's pointer;
        the others read again and join its case."""
        key = (action.brand, author_key(mention))
        for _ in range(MAX_CONFLICT_RETRIES):
            change = self._apply_once(key, action, mention, now)
            if change is not None:
                return change
        raise CaseConflictError(case_id_for(*key, mention.id), attempts=MAX_CONFLICT_RETRIES)

    def _apply_once(
        self, key: OwnerKey, action: CaseAction, mention: Mention, now: datetime
    ) -> CaseChange | None:
        """One try of :meth:`apply`; None when another writer got there first."""
        read = self._find_open([key], now)[key]
        if read.open is not None:
            if read.needs_claim(read.open.case.id) and not self.owners.claim(
                key, read.open.case.id, read.owner, now
            ):
                return None
            return self._add_mention(read.open, action, mention, now)
        case_id = read.opening_id(*key, mention)
        if read.needs_claim(case_id) and not self.owners.claim(key, case_id, read.owner, now):
            return None
        case = self._new_case(case_id, action, mention, now)
        try:
            self.client.create(index=self.index, id=case_id, document=_doc(case))
        except ConflictError:  # replayed after a crash, or another writer took the reserved id
            found = self._get(case_id)
            return None if found is None else self._add_mention(found, action, mention, now)
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
            lang=action.lang,
            tagged=action.tagged,
            excerpt=excerpt(mention.text or mention.title or ""),
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
        """:meth:`apply` for a batch, in order, with a few requests instead of a few per
        mention: two ``mget`` (the authors' pointers, the cases they name) to find open
        cases, one ``bulk`` to claim the pointers of the cases to open, one ``bulk`` to
        write (creates, and updates conditional on the version read). Authors whose claim
        or write conflicts are redone one mention at a time with :meth:`apply`."""
        keys = [(action.brand, author_key(mention)) for action, mention in items]
        reads = self._find_open(list(dict.fromkeys(keys)), now)
        current: dict[OwnerKey, Case] = {}
        changes: list[CaseChange] = []
        for (action, mention), key in zip(items, keys, strict=True):
            read = reads[key]
            case = current.get(key) or (read.open.case if read.open is not None else None)
            updated = None if case is None else self._with_mention(case, action, mention, now)
            if case is not None and updated is not None:
                changes.append(CaseChange(updated, None if updated is case else "mention_added"))
            else:
                updated = self._new_case(read.opening_id(*key, mention), action, mention, now)
                changes.append(CaseChange(updated, "opened"))
            current[key] = updated
        claims = {
            key: (case.id, reads[key].owner)
            for key, case in current.items()
            if reads[key].needs_claim(case.id)
        }
        redo = self.owners.claim_all(claims, now)
        redo |= self._write({k: c for k, c in current.items() if k not in redo}, reads)
        if redo:
            for index, ((action, mention), key) in enumerate(zip(items, keys, strict=True)):
                if key in redo:
                    changes[index] = self.apply(action, mention, now)
        return changes

    def _find_open(self, keys: Sequence[OwnerKey], now: datetime) -> dict[OwnerKey, _Read]:
        """Each author's pointer and the open case it names (two ``mget``, real time); for
        an author without a pointer (cases opened before pointers), a search."""
        since = now - timedelta(hours=self.settings.group_window_hours)
        owners = self.owners.read(keys)
        named = [owner.case_id for owner in owners.values() if owner is not None]
        docs = {
            case_id: _Versioned(Case.model_validate(d["_source"]), d["_seq_no"], d["_primary_term"])
            for case_id, d in found_by_id(self.client, self.index, named).items()
        }
        reads: dict[OwnerKey, _Read] = {}
        for key, owner in owners.items():
            if owner is None:
                continue
            doc = docs.get(owner.case_id)
            joinable = doc if doc is not None and _joinable(doc.case, since) else None
            reads[key] = _Read(owner, joinable, owner.case_id if doc is None else None)
        unpointed = [key for key in keys if key not in reads]
        for key, found in self._search_open(unpointed, since).items():
            reads[key] = _Read(None, found, None)
        return reads

    def _search_open(
        self, keys: Sequence[OwnerKey], since: datetime
    ) -> dict[OwnerKey, _Versioned | None]:
        """The authors' open cases found by a search (one ``msearch``): what finds a case
        opened before owner pointers existed. Not real time: only for authors without one."""
        if not keys:
            return {}
        searches: list[dict[str, Any]] = []
        for brand, who in keys:
            searches += [{"index": self.index}, self._open_case_query(brand, who, since)]
        responses = self.client.msearch(searches=searches)["responses"]
        found: dict[OwnerKey, _Versioned | None] = {}
        for key, response in zip(keys, responses, strict=True):
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

    def _write(self, cases: dict[OwnerKey, Case], reads: dict[OwnerKey, _Read]) -> set[OwnerKey]:
        """Bulk-write the changed cases; the keys whose write conflicted."""
        operations: list[dict[str, Any]] = []
        order: list[OwnerKey] = []
        for key, case in cases.items():
            before = reads[key].open
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
        return bulk_conflicts(self.client, operations, order, "write cases")

    def _open_case_query(self, brand: str, key: str, since: datetime) -> dict[str, Any]:
        """Search body: the author's latest open case on the brand active since ``since``."""
        return {
            "size": 1,
            "sort": [{"updated_at": "desc"}],
            "seq_no_primary_term": True,
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"brand": brand}},
                        {"terms": {"status": list(OPEN_CASE_STATUSES)}},
                        {"range": {"updated_at": {"gte": since.isoformat()}}},
                        *_author_filters(key),
                    ]
                }
            },
        }

    # operators' side

    @elasticsearch_errors("read a case")
    def get(self, case_id: str) -> Case:
        return self._read(case_id)

    @elasticsearch_errors("claim a case")
    def claim(self, case_id: str, user: str, now: datetime, *, take_over: bool = False) -> Case:
        """Hold the case as ``user`` (unchanged if they hold it already). Held by another
        user: :class:`core.CaseHeldError` naming them, unless ``take_over``. Of agents
        claiming at once exactly one wins; the others are told who did."""
        return self._update_or_fail(case_id, lambda case: work.claimed(case, user, now, take_over))

    @elasticsearch_errors("assign a case")
    def assign(
        self,
        case_id: str,
        to_user: str | None,
        now: datetime,
        actor: str | None = None,
        *,
        to_team: str | None = None,
    ) -> Case:
        """Hand the case to a user, a team, or both (what is not named stays as it is)."""
        if to_user is None and to_team is None:
            raise CaseValueError("assign", "name a user or a team")
        return self._update_or_fail(
            case_id, lambda case: work.assigned(case, to_user, to_team, now, actor)
        )

    @elasticsearch_errors("record a response to a case")
    def respond(
        self,
        case_id: str,
        now: datetime,
        actor: str | None = None,
        note: str | None = None,
        *,
        take_over: bool = False,
    ) -> Case:
        """Record a response (``note``: what was said, or where); the first one sets the
        first response time. The responder holds the case after it; while another user
        holds it, :class:`core.CaseHeldError` unless ``take_over``."""
        text = None if note is None else work.checked_text("note", note)
        return self._update_or_fail(
            case_id, lambda case: work.responded(case, now, actor, text, take_over)
        )

    @elasticsearch_errors("add a note to a case")
    def note(self, case_id: str, text: str, now: datetime, actor: str | None = None) -> Case:
        """An internal note (not a response), on a case in any status."""
        checked = work.checked_text("text", text)
        return self._update_or_fail(case_id, lambda case: work.noted(case, checked, now, actor))

    @elasticsearch_errors("tag a case")
    def tag(self, case_id: str, tag: str, now: datetime, actor: str | None = None) -> Case:
        """Add a tag (unchanged if the case has it)."""
        name = work.checked_text("tag", tag, work.MAX_TAG_CHARS)
        return self._update_or_fail(case_id, lambda case: work.tagged(case, name, now, actor))

    @elasticsearch_errors("untag a case")
    def untag(self, case_id: str, tag: str, now: datetime, actor: str | None = None) -> Case:
        """Remove a tag (unchanged if the case does not have it)."""
        name = work.checked_text("tag", tag, work.MAX_TAG_CHARS)
        return self._update_or_fail(case_id, lambda case: work.untagged(case, name, now, actor))

    @elasticsearch_errors("change a case's priority")
    def set_priority(
        self, case_id: str, priority: str, now: datetime, actor: str | None = None
    ) -> Case:
        """Change the priority; the SLA due time becomes the opening plus the new
        priority's SLA (``alerting.cases.sla_minutes``)."""
        chosen = work.checked_priority(priority)
        minutes = self.settings.sla_minutes
        return self._update_or_fail(
            case_id, lambda case: work.reprioritised(case, chosen, minutes, now, actor)
        )

    @elasticsearch_errors("merge two cases")
    def merge(
        self, source_id: str, target_id: str, now: datetime, actor: str | None = None
    ) -> Case:
        """Merge one author's two cases about one brand: the source is closed into the
        target (``merged_into``, resolution ``merged``), then the target takes its posts,
        history, tags and work, and the author's next post joins the target. Returns the
        target. Repeating a merge, finished or
        interrupted between the two writes, completes it and changes nothing more."""
        if source_id == target_id:
            raise CaseMergeError(source_id, target_id, "a case cannot be merged into itself")
        target = self._read(target_id)
        source = self._read(source_id)
        if source.merged_into != target_id:
            work.require(target, OPEN_CASE_STATUSES, "merge into")
        closed = self._update_or_fail(
            source_id, lambda case: work.merged_source(case, target, now, actor)
        )
        minutes = self.settings.sla_minutes
        merged = self._update_or_fail(
            target_id, lambda case: work.merged_target(case, closed, minutes, now, actor)
        )
        author = (merged.brand, work.case_author_key(merged))
        self.owners.move(author, source_id, target_id, now, MAX_CONFLICT_RETRIES)
        return merged

    @elasticsearch_errors("close a case")
    def close(
        self,
        case_id: str,
        now: datetime,
        csat: int | None = None,
        actor: str | None = None,
        *,
        resolution: str | None = None,
    ) -> Case:
        """Close the case, with the customer's satisfaction (1–5) and how it was resolved
        when known."""
        score = work.checked_csat(csat)
        resolved = work.checked_resolution(resolution)
        return self._update_or_fail(
            case_id, lambda case: work.closed(case, now, score, resolved, actor)
        )

    # SLA

    def sla_breaches_due(self, now: datetime) -> list[Case]:
        """Unanswered open cases past their SLA due time and not yet marked."""
        found = self.search(status=["open", "assigned"], due_before=now, breached=False)
        return [case for case in found if case.first_response_at is None]

    @elasticsearch_errors("mark an SLA breach")
    def mark_sla_breach(
        self, case_id: str, now: datetime, escalated_to: Sequence[str] = ()
    ) -> Case | None:
        """Mark the case breached (``sla_breached``, and ``escalated`` with the channels when
        there are some); None when it is not past its SLA unanswered, or was marked."""
        return self._update(case_id, lambda case: work.breached(case, now, escalated_to))

    def mark_sla_breaches(self, now: datetime) -> list[Case]:
        """Mark every unanswered case past its SLA (once each); returns them."""
        marked = (self.mark_sla_breach(case.id, now) for case in self.sla_breaches_due(now))
        return [case for case in marked if case is not None]

    # reading

    @elasticsearch_errors("list the inbox")
    def inbox(self, query: CaseQuery) -> CasePage:
        """One page of the cases ``query`` asks for (see :class:`alerts.inbox.CaseQuery`)."""
        response = self.client.search(index=self.index, **inbox_search(query))
        return inbox_page(query, response.body)

    @elasticsearch_errors("find changed cases")
    def changed_since(self, since: datetime, *, limit: int = 500) -> list[Case]:
        """Cases written after ``since`` (``updated_at``), the oldest change first, at most
        ``limit``: what a live view fetches again. Cases become searchable within the
        index's refresh interval (1 s)."""
        response = self.client.search(
            index=self.index,
            query={"range": {"updated_at": {"gt": since.isoformat()}}},
            sort=[{"updated_at": "asc"}, {"id": "asc"}],
            size=limit,
        )
        return [Case.model_validate(hit["_source"]) for hit in response["hits"]["hits"]]

    @elasticsearch_errors("find an author's cases")
    def cases_of_author(self, author_key: str, *, limit: int = 20) -> list[Case]:
        """The author's cases on every brand, newest first; ``author_key`` as
        :func:`alerts.case_work.case_author_key` gives it for a case."""
        response = self.client.search(
            index=self.index,
            query={"bool": {"filter": _author_filters(author_key)}},
            sort=[{"opened_at": "desc"}, {"id": "asc"}],
            size=limit,
        )
        return [Case.model_validate(hit["_source"]) for hit in response["hits"]["hits"]]

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
        """Cases matching every given filter, newest first (all of them, paged; none before
        the cases index exists)."""
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
                    ignore_unavailable=True,
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
            query={"terms": {"status": list(OPEN_CASE_STATUSES)}},
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

    def _read(self, case_id: str) -> Case:
        found = self._get(case_id)
        if found is None:
            raise CaseNotFoundError(case_id)
        return found.case

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


def _joinable(case: Case, since: datetime) -> bool:
    """Open, and active since ``since``: the case its author's next post joins."""
    return case.status in OPEN_CASE_STATUSES and (case.updated_at or case.opened_at) >= since


def _author_filters(key: str) -> list[dict[str, Any]]:
    """Filters for the cases of the author ``key`` (as :func:`author_key` gives it)."""
    source, _, who = key.partition(":")
    if source == "mention":
        return [{"term": {"mention_ids": who}}]
    either = [{"term": {"author.id": who}}, {"term": {"author.handle": who}}]
    return [{"term": {"source": source}}, {"bool": {"should": either, "minimum_should_match": 1}}]
