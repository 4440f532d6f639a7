"""What each piece of case work does to a case: pure functions from the case as it is now
to the changed case, each adding its history event (with actor and time).

:class:`alerts.cases.CaseStore` applies them with optimistic concurrency: after a conflict
a change is applied again to a fresh read, so it always decides on the case as it is. Two
agents claiming at once: the one whose write lands second reads the winner as the holder.

Collision control: the user a case is assigned to *holds* it. Claiming it, or recording a
response, while another user holds it raises :class:`core.CaseHeldError` unless the call
takes the case over explicitly (a ``taken_over`` event). Assigning is a deliberate
hand-over and needs no take-over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from core import (
    OPEN_CASE_STATUSES,
    PRIORITIES,
    PRIORITY_ORDER,
    Case,
    CaseEvent,
    CaseHeldError,
    CaseMergeError,
    CaseStatus,
    CaseTransitionError,
    CaseValueError,
    Priority,
)

__all__ = [
    "MAX_TAG_CHARS",
    "MAX_TEXT_CHARS",
    "assigned",
    "breached",
    "case_author_key",
    "checked_csat",
    "checked_priority",
    "checked_resolution",
    "checked_text",
    "claimed",
    "closed",
    "merged_source",
    "merged_target",
    "noted",
    "reprioritised",
    "require",
    "responded",
    "tagged",
    "untagged",
]

MAX_TEXT_CHARS = 10_000  # a response or an internal note
MAX_TAG_CHARS = 64
MAX_RESOLUTION_CHARS = 200
STATUS_ORDER: dict[CaseStatus, int] = {"open": 0, "assigned": 1, "responded": 2, "closed": 3}


# values from outside (the CLI, the web app) checked before anything is read


def checked_text(field: str, text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``text`` without surrounding whitespace; not empty, at most ``limit`` characters."""
    cleaned = text.strip()
    if not cleaned:
        raise CaseValueError(field, "must not be empty")
    if len(cleaned) > limit:
        raise CaseValueError(field, f"at most {limit:,} characters, got {len(cleaned):,}")
    return cleaned


def checked_priority(value: str) -> Priority:
    for priority in PRIORITIES:
        if value == priority:
            return priority
    raise CaseValueError("priority", f"one of {', '.join(PRIORITIES)}", value)


def checked_csat(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 5:
        raise CaseValueError("csat", "a score from 1 to 5", value)
    return value


def checked_resolution(value: str | None) -> str | None:
    return None if value is None else checked_text("resolution", value, MAX_RESOLUTION_CHARS)


def require(case: Case, allowed: Sequence[str], operation: str) -> None:
    if case.status not in allowed:
        raise CaseTransitionError(case.id, case.status, operation)


def case_author_key(case: Case) -> str:
    """Who a case is about, as ``source:id-or-handle`` (what ``author_key`` gives for its
    first post); ``mention:<id>`` when the source named no author."""
    who = case.author.id or case.author.handle
    return f"{case.source}:{who}" if who and case.source else f"mention:{case.mention_ids[0]}"


def _with_event(case: Case, event: CaseEvent, **changes: Any) -> Case:
    return case.model_copy(
        update={**changes, "updated_at": event.at, "history": [*case.history, event]}
    )


# holding


def _held_by(case: Case, user: str, now: datetime, take_over: bool) -> Case:
    """``case`` held by ``user``: unchanged if it is theirs already, claimed if nobody held
    it, taken over (only when asked) from another user."""
    holder = case.assigned_to
    if holder == user:
        return case
    if holder is not None and not take_over:
        raise CaseHeldError(case.id, holder)
    event = CaseEvent(
        at=now,
        kind="claimed" if holder is None else "taken_over",
        actor=user,
        note=None if holder is None else f"from {holder}",
    )
    status: CaseStatus = "assigned" if case.status == "open" else case.status
    return _with_event(case, event, status=status, assigned_to=user)


def claimed(case: Case, user: str, now: datetime, take_over: bool) -> Case:
    require(case, OPEN_CASE_STATUSES, "claim")
    return _held_by(case, user, now, take_over)


def assigned(
    case: Case, to_user: str | None, to_team: str | None, now: datetime, actor: str | None
) -> Case:
    """Handed to a user, to a team, or both (one not named stays as it is)."""
    require(case, OPEN_CASE_STATUSES, "assign")
    named = [*([to_user] if to_user else []), *([f"team {to_team}"] if to_team else [])]
    event = CaseEvent(at=now, kind="assigned", actor=actor, note="to " + ", ".join(named))
    changes: dict[str, Any] = {}
    if to_user is not None:
        changes["assigned_to"] = to_user
        changes["status"] = "assigned" if case.status == "open" else case.status
    if to_team is not None:
        changes["team"] = to_team
    return _with_event(case, event, **changes)


def responded(
    case: Case, now: datetime, actor: str | None, text: str | None, take_over: bool
) -> Case:
    """A response recorded: the responder holds the case after it; the first response sets
    ``first_response_at`` (and whether it came after the SLA)."""
    require(case, OPEN_CASE_STATUSES, "respond to")
    held = case if actor is None else _held_by(case, actor, now, take_over)
    first = held.first_response_at or now
    return _with_event(
        held,
        CaseEvent(at=now, kind="responded", actor=actor, note=text),
        status="responded",
        first_response_at=first,
        sla_breached=held.sla_breached or first > held.sla_due_at,
    )


def noted(case: Case, text: str, now: datetime, actor: str | None) -> Case:
    """An internal note: history only, on a case in any status."""
    return _with_event(case, CaseEvent(at=now, kind="note", actor=actor, note=text))


def tagged(case: Case, tag: str, now: datetime, actor: str | None) -> Case:
    if tag in case.tags:
        return case
    event = CaseEvent(at=now, kind="tagged", actor=actor, note=tag)
    return _with_event(case, event, tags=[*case.tags, tag])


def untagged(case: Case, tag: str, now: datetime, actor: str | None) -> Case:
    if tag not in case.tags:
        return case
    event = CaseEvent(at=now, kind="untagged", actor=actor, note=tag)
    return _with_event(case, event, tags=[t for t in case.tags if t != tag])


def _due(case: Case, priority: Priority, sla_minutes: Mapping[Priority, int]) -> datetime:
    return case.opened_at + timedelta(minutes=sla_minutes[priority])


def reprioritised(
    case: Case,
    priority: Priority,
    sla_minutes: Mapping[Priority, int],
    now: datetime,
    actor: str | None,
) -> Case:
    """The new priority, its SLA counted from the case's opening (as when a post raises it).
    A breach already marked stays marked."""
    require(case, OPEN_CASE_STATUSES, "reprioritise")
    if priority == case.priority:
        return case
    note = f"{case.priority} → {priority}"
    event = CaseEvent(at=now, kind="priority_changed", actor=actor, note=note)
    return _with_event(case, event, priority=priority, sla_due_at=_due(case, priority, sla_minutes))


def closed(
    case: Case, now: datetime, csat: int | None, resolution: str | None, actor: str | None
) -> Case:
    require(case, OPEN_CASE_STATUSES, "close")
    said = [*([f"resolution: {resolution}"] if resolution else []), *_csat(csat)]
    event = CaseEvent(at=now, kind="closed", actor=actor, note="; ".join(said) or None)
    return _with_event(
        case,
        event,
        status="closed",
        closed_at=now,
        csat=csat,
        resolution=resolution,
        do_not_market=False,
    )


def _csat(csat: int | None) -> list[str]:
    return [] if csat is None else [f"CSAT {csat}/5"]


# merging: the source is closed into the target first, then the target takes its posts


def _merge_problem(source: Case, target: Case) -> str | None:
    if source.brand != target.brand:
        return f"different brands ({source.brand}, {target.brand})"
    source_author, target_author = case_author_key(source), case_author_key(target)
    if source_author != target_author:
        return f"different authors ({source_author}, {target_author})"
    return None


def merged_source(source: Case, target: Case, now: datetime, actor: str | None) -> Case:
    """The source closed into the target (unchanged if it was already: a repeated merge)."""
    if source.merged_into == target.id:
        return source
    require(source, OPEN_CASE_STATUSES, "merge")
    problem = _merge_problem(source, target)
    if problem is not None:
        raise CaseMergeError(source.id, target.id, problem)
    event = CaseEvent(at=now, kind="merged", actor=actor, note=f"into {target.id}")
    return _with_event(
        source,
        event,
        status="closed",
        closed_at=now,
        merged_into=target.id,
        resolution="merged",
        do_not_market=False,
    )


def merged_target(
    target: Case,
    source: Case,
    sla_minutes: Mapping[Priority, int],
    now: datetime,
    actor: str | None,
) -> Case:
    """The target with the (closed) source's posts, history, tags and work, as if the posts
    had joined it: the more urgent priority, its SLA from the target's opening unless one of
    the two was due sooner, the earlier first response, the further status."""
    note = f"from {source.id}"
    if any(e.kind == "merged" and e.note == note for e in target.history):
        return target
    priority = min(target.priority, source.priority, key=PRIORITY_ORDER.__getitem__)
    responses = [r for r in (target.first_response_at, source.first_response_at) if r]
    first = min(responses, default=None)
    holder = target.assigned_to or source.assigned_to
    worked: CaseStatus = "responded" if first else "assigned" if holder else "open"
    into = f"into {target.id}"
    moved = [e for e in source.history if not (e.kind == "merged" and e.note == into)]
    history = sorted([*target.history, *moved], key=lambda event: event.at)
    event = CaseEvent(at=now, kind="merged", actor=actor, note=note)
    posts = [m for m in source.mention_ids if m not in target.mention_ids]
    return target.model_copy(
        update={
            "mention_ids": [*target.mention_ids, *posts],
            "priority": priority,
            "sla_due_at": min(
                target.sla_due_at, source.sla_due_at, _due(target, priority, sla_minutes)
            ),
            "first_response_at": first,
            "assigned_to": holder,
            "status": max(target.status, worked, key=STATUS_ORDER.__getitem__),
            "tags": [*target.tags, *(t for t in source.tags if t not in target.tags)],
            "do_not_market": target.do_not_market or source.do_not_market,
            "sla_breached": target.sla_breached or source.sla_breached,
            "updated_at": now,
            "history": [*history, event],
        }
    )


# the SLA


def breached(case: Case, now: datetime, escalated_to: Sequence[str]) -> Case | None:
    """The case marked as past its SLA without a response (``escalated`` too when it went
    to channels); None when it is not, or is marked already."""
    unanswered = case.status in ("open", "assigned") and case.first_response_at is None
    if case.sla_breached or not unanswered or case.sla_due_at >= now:
        return None
    events = [CaseEvent(at=now, kind="sla_breached")]
    if escalated_to:
        events.append(CaseEvent(at=now, kind="escalated", note="to " + ", ".join(escalated_to)))
    return case.model_copy(
        update={"sla_breached": True, "updated_at": now, "history": [*case.history, *events]}
    )
