"""Case work against the real Elasticsearch (issue 11): claim and take-over with collision
control, assign to a team, respond, internal notes, tags, priority, merge, close with a
resolution; what a new case carries for the inbox; old case documents still read."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.rules import CaseAction
from config.rules import CaseSettings
from core.errors import (
    CaseHeldError,
    CaseMergeError,
    CaseNotFoundError,
    CaseTransitionError,
    CaseValueError,
)
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author, Case
from indexer.templates import install_templates

pytestmark = pytest.mark.elasticsearch

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACTION = CaseAction(
    brand="Hoshi Mobile",
    priority="high",
    team="care",
    rule="complaint",
    reason="complaint: negative",
    do_not_market=True,
    notify=(),
    lang="ja",
    tagged=True,
)


def post(number: int, author: str = "u1", text: str | None = None) -> AnalyzedMention:
    return AnalyzedMention(
        source="hn",
        native_id=str(number),
        text=text if text is not None else f"post {number}",
        published_at=T0,
        collected_at=T0,
        author=Author(id=author, handle=author),
    )


@pytest.fixture
def store(es: Elasticsearch, index_names: IndexNames) -> Iterator[CaseStore]:
    install_templates(es, index_names)
    yield CaseStore(es, index_names, CaseSettings(group_window_hours=24))


def opened(store: CaseStore, number: int = 1, author: str = "u1") -> Case:
    return store.apply(ACTION, post(number, author), T0).case


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_new_case_carries_language_tagging_and_a_bounded_excerpt(store: CaseStore) -> None:
    text = "ほしモバイル の 通信障害\n\nが ひどい " + "あ" * 400
    case = store.apply(ACTION, post(1, text=text), T0).case
    assert (case.lang, case.tagged) == ("ja", True)
    assert case.excerpt.startswith("ほしモバイル の 通信障害 が ひどい あ")
    assert len(case.excerpt) == 280 and case.excerpt.endswith("…")
    assert (case.tags, case.resolution, case.merged_into) == ([], None, None)
    assert store.get(case.id) == case


def test_an_old_case_document_without_the_new_fields_still_reads(
    store: CaseStore, es: Elasticsearch
) -> None:
    document = {
        "id": "case-old",
        "mention_ids": ["m1"],
        "brand": "Hoshi Mobile",
        "author": {"id": "u1", "handle": "u1"},
        "status": "open",
        "priority": "normal",
        "rule": "complaint",
        "opened_at": T0.isoformat(),
        "updated_at": T0.isoformat(),
        "sla_due_at": at(480).isoformat(),
        "history": [{"at": T0.isoformat(), "kind": "opened"}],
    }
    es.index(index=store.index, id="case-old", document=document, refresh=True)
    case = store.get("case-old")
    assert (case.lang, case.tagged, case.excerpt, case.tags) == (None, False, "", [])
    assert store.tag("case-old", "billing", at(1), actor="aiko").tags == ["billing"]


def test_claiming_holds_the_case_and_another_agent_must_take_it_over(store: CaseStore) -> None:
    case = opened(store)
    claimed = store.claim(case.id, "aiko", at(1))
    assert (claimed.status, claimed.assigned_to) == ("assigned", "aiko")
    assert (claimed.history[-1].kind, claimed.history[-1].actor) == ("claimed", "aiko")
    again = store.claim(case.id, "aiko", at(2))
    assert again == claimed, "claiming one's own case changes nothing"
    with pytest.raises(CaseHeldError) as held:
        store.claim(case.id, "ben", at(3))
    assert (held.value.case_id, held.value.holder) == (case.id, "aiko")
    assert str(held.value) == f"case {case.id} is held by aiko: take it over to act on it"
    taken = store.claim(case.id, "ben", at(4), take_over=True)
    assert taken.assigned_to == "ben"
    event = taken.history[-1]
    assert (event.kind, event.actor, event.note) == ("taken_over", "ben", "from aiko")
    with pytest.raises(CaseNotFoundError):
        store.claim("case-nope", "ben", at(5))


def claim_at_once(
    es: Elasticsearch, names: IndexNames, case_id: str, agents: int
) -> tuple[list[str], list[str]]:
    """``agents`` threads, each with its own store (its own web request), claim the case at
    the same moment: who won, and who the others were told holds it."""
    start = threading.Barrier(agents)
    won: list[str] = []
    told: list[str] = []
    lock = threading.Lock()

    def claim(name: str) -> None:
        own = CaseStore(es, names, CaseSettings())
        start.wait()
        try:
            own.claim(case_id, name, at(1))
        except CaseHeldError as exc:
            with lock:
                told.append(exc.holder)
        else:
            with lock:
                won.append(name)

    threads = [threading.Thread(target=claim, args=(f"agent{i}",)) for i in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, told


@pytest.mark.parametrize("agents", [2, 8])
def test_agents_claiming_at_once_exactly_one_wins_and_the_others_hear_who(
    store: CaseStore, es: Elasticsearch, index_names: IndexNames, agents: int
) -> None:
    for round_number in range(5):
        case = opened(store, number=round_number, author=f"racer{round_number}")
        won, told = claim_at_once(es, index_names, case.id, agents)
        assert len(won) == 1, won
        assert told == [won[0]] * (agents - 1)
        stored = store.get(case.id)
        assert stored.assigned_to == won[0]
        assert [e.kind for e in stored.history].count("claimed") == 1


def test_assigning_to_a_team_an_agent_or_both(store: CaseStore) -> None:
    case = opened(store)
    moved = store.assign(case.id, None, at(1), actor="lead", to_team="billing")
    assert (moved.team, moved.assigned_to, moved.status) == ("billing", None, "open")
    assert moved.history[-1].note == "to team billing"
    both = store.assign(case.id, "chika", at(2), actor="lead", to_team="care")
    assert (both.team, both.assigned_to, both.status) == ("care", "chika", "assigned")
    assert both.history[-1].note == "to chika, team care"
    with pytest.raises(CaseValueError, match="assign: name a user or a team"):
        store.assign(case.id, None, at(3))


def test_responding_sets_the_first_response_once_and_respects_the_holder(
    store: CaseStore,
) -> None:
    case = opened(store)
    first = store.respond(case.id, at(10), actor="aiko", note="DM sent")
    assert (first.status, first.first_response_at, first.assigned_to) == (
        "responded",
        at(10),
        "aiko",
    ), "responding to an unassigned case makes the responder its holder"
    assert [e.kind for e in first.history[-2:]] == ["claimed", "responded"]
    assert first.history[-1].note == "DM sent"
    with pytest.raises(CaseHeldError) as held:
        store.respond(case.id, at(20), actor="ben", note="me too")
    assert held.value.holder == "aiko"
    taken = store.respond(case.id, at(30), actor="ben", note="follow-up", take_over=True)
    assert taken.first_response_at == at(10) and taken.assigned_to == "ben"
    assert [e.kind for e in taken.history[-2:]] == ["taken_over", "responded"]


def test_an_internal_note_is_history_not_a_response(store: CaseStore) -> None:
    case = store.claim(opened(store).id, "aiko", at(1))
    noted = store.note(case.id, "customer is on the legacy plan", at(2), actor="ben")
    assert (noted.status, noted.first_response_at, noted.assigned_to) == (
        "assigned",
        None,
        "aiko",
    ), "anyone may add a note; it is not a response"
    event = noted.history[-1]
    assert (event.kind, event.actor) == ("note", "ben")
    assert event.note == "customer is on the legacy plan"
    with pytest.raises(CaseValueError, match="text"):
        store.note(case.id, "   ", at(3), actor="ben")


def test_tags_are_added_and_removed_once(store: CaseStore) -> None:
    case = opened(store)
    tagged = store.tag(case.id, " refund ", at(1), actor="aiko")
    assert tagged.tags == ["refund"] and tagged.history[-1].kind == "tagged"
    assert store.tag(case.id, "refund", at(2), actor="aiko") == tagged
    both = store.tag(case.id, "返金", at(3), actor="aiko")
    assert both.tags == ["refund", "返金"]
    untagged = store.untag(case.id, "refund", at(4), actor="aiko")
    assert untagged.tags == ["返金"]
    assert (untagged.history[-1].kind, untagged.history[-1].note) == ("untagged", "refund")
    assert store.untag(case.id, "refund", at(5), actor="aiko") == untagged
    with pytest.raises(CaseValueError, match="tag"):
        store.tag(case.id, "", at(6))


def test_a_priority_change_recomputes_the_sla_from_the_opening(store: CaseStore) -> None:
    case = opened(store)  # high: due 120 minutes after opening
    urgent = store.set_priority(case.id, "urgent", at(90), actor="lead")
    assert (urgent.priority, urgent.sla_due_at) == ("urgent", at(30))
    event = urgent.history[-1]
    assert (event.kind, event.actor, event.note) == ("priority_changed", "lead", "high → urgent")
    low = store.set_priority(case.id, "low", at(91), actor="lead")
    assert low.sla_due_at == at(1440)
    assert store.set_priority(case.id, "low", at(92), actor="lead") == low
    with pytest.raises(CaseValueError, match="priority"):
        store.set_priority(case.id, "asap", at(93))
    store.close(case.id, at(94))
    with pytest.raises(CaseTransitionError):
        store.set_priority(case.id, "high", at(95))


def test_only_cases_of_one_author_about_one_brand_merge(store: CaseStore) -> None:
    target = opened(store, 1)
    kaze = CaseAction(**{**ACTION.__dict__, "brand": "Kaze"})
    other_brand = store.apply(kaze, post(2), T0).case
    with pytest.raises(CaseMergeError, match="different brands"):
        store.merge(other_brand.id, target.id, at(1))
    other_author = opened(store, 3, author="u2")
    with pytest.raises(CaseMergeError) as refused:
        store.merge(other_author.id, target.id, at(1))
    assert str(refused.value) == (
        f"cannot merge case {other_author.id} into case {target.id}: "
        "different authors (hn:u2, hn:u1)"
    )
    with pytest.raises(CaseMergeError, match="into itself"):
        store.merge(target.id, target.id, at(1))
    with pytest.raises(CaseNotFoundError):
        store.merge("case-nope", target.id, at(1))
    assert store.get(other_author.id).status == "open", "a refused merge changes nothing"


def test_merging_moves_posts_and_history_and_closes_the_source(
    store: CaseStore, es: Elasticsearch, index_names: IndexNames
) -> None:
    target = store.apply(ACTION, post(1), T0).case  # high: due at(120)
    store.apply(ACTION, post(2), at(5))
    # a second open case of the same author about the same brand (opened outside the window)
    late = CaseStore(es, index_names, CaseSettings(group_window_hours=0.5))
    urgent = CaseAction(**{**ACTION.__dict__, "priority": "urgent"})
    source = late.apply(urgent, post(3), at(60)).case
    assert source.id != target.id
    store.respond(source.id, at(61), actor="aiko")
    store.tag(source.id, "vip", at(62), actor="aiko")
    merged = store.merge(source.id, target.id, at(63), actor="lead")
    assert merged.mention_ids == [post(1).id, post(2).id, post(3).id]
    assert (merged.priority, merged.tags, merged.first_response_at) == ("urgent", ["vip"], at(61))
    assert (merged.status, merged.assigned_to) == ("responded", "aiko"), "the work done counts"
    assert merged.sla_due_at == at(30), "as if the posts had joined: urgent from the opening"
    kinds = [e.kind for e in merged.history]
    assert kinds == [
        "opened",
        "mention_added",
        "opened",
        "claimed",
        "responded",
        "tagged",
        "merged",
    ]
    assert (merged.history[-1].actor, merged.history[-1].note) == ("lead", f"from {source.id}")
    closed = store.get(source.id)
    assert (closed.status, closed.merged_into, closed.resolution) == ("closed", target.id, "merged")
    assert closed.history[-1].kind == "merged" and closed.history[-1].note == f"into {target.id}"
    assert closed.do_not_market is False


def test_a_merge_interrupted_after_closing_the_source_completes_when_repeated(
    store: CaseStore, es: Elasticsearch, index_names: IndexNames
) -> None:
    target = opened(store, 1)
    late = CaseStore(es, index_names, CaseSettings(group_window_hours=0.01))
    source = late.apply(ACTION, post(2), at(60)).case
    original = store._update_or_fail
    calls = 0

    def crash_on_the_target(case_id, change):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("killed")
        return original(case_id, change)

    store._update_or_fail = crash_on_the_target  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        store.merge(source.id, target.id, at(61))
    store._update_or_fail = original  # type: ignore[method-assign]
    assert store.get(source.id).merged_into == target.id
    merged = store.merge(source.id, target.id, at(62))
    assert merged.mention_ids == [post(1).id, post(2).id]
    again = store.merge(source.id, target.id, at(63))
    assert again == merged, "repeating a finished merge changes nothing"


def test_a_case_merged_into_a_closed_case_is_refused(store: CaseStore) -> None:
    target = opened(store, 1)
    store.close(target.id, at(1))
    source = store.apply(ACTION, post(2), at(2)).case
    with pytest.raises(CaseTransitionError, match="is closed: cannot merge into it"):
        store.merge(source.id, target.id, at(3))


def test_closing_with_a_resolution_and_csat(store: CaseStore) -> None:
    case = opened(store)
    with pytest.raises(CaseValueError, match="csat"):
        store.close(case.id, at(1), csat=6)
    closed = store.close(case.id, at(2), csat=4, actor="aiko", resolution="refunded")
    assert (closed.status, closed.resolution, closed.csat) == ("closed", "refunded", 4)
    assert closed.history[-1].note == "resolution: refunded; CSAT 4/5"
    with pytest.raises(CaseTransitionError):
        store.claim(case.id, "aiko", at(3))
    noted = store.note(case.id, "customer thanked us", at(4), actor="aiko")
    assert noted.history[-1].kind == "note", "a closed case still takes notes"
