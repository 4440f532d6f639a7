"""Cases in the real Elasticsearch: grouping, idempotent replays, lifecycle, concurrency, SLA."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from elasticsearch import Elasticsearch

from alerts.cases import MAX_CONFLICT_RETRIES, CaseStore
from alerts.rules import CaseAction
from config.rules import CaseSettings
from core.errors import CaseConflictError, CaseNotFoundError, CaseTransitionError
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author
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
    notify=("hook",),
)


def post(number: int, author: str = "u1", source: str = "hn") -> AnalyzedMention:
    return AnalyzedMention(
        source=source,
        native_id=str(number),
        text=f"post {number}",
        published_at=T0,
        collected_at=T0,
        author=Author(id=author, handle=author),
    )


@pytest.fixture
def store(es: Elasticsearch, index_names: IndexNames) -> Iterator[CaseStore]:
    install_templates(es, index_names)
    yield CaseStore(es, index_names, CaseSettings(group_window_hours=24))


def test_an_authors_posts_about_a_brand_join_one_open_case(store: CaseStore) -> None:
    first = store.apply(ACTION, post(1), T0)
    assert first.event == "opened"
    assert first.case.sla_due_at == T0 + timedelta(minutes=120)
    second = store.apply(ACTION, post(2), T0 + timedelta(minutes=5))
    assert second.event == "mention_added" and second.case.id == first.case.id
    assert second.case.mention_ids == [post(1).id, post(2).id]
    other = store.apply(ACTION, post(3, author="u2"), T0)
    assert other.case.id != first.case.id
    elsewhere = store.apply(ACTION, post(4, source="reddit"), T0)
    assert elsewhere.case.id != first.case.id, "the same name on another source is someone else"


def test_a_replayed_mention_changes_nothing(store: CaseStore, es: Elasticsearch) -> None:
    opened = store.apply(ACTION, post(1), T0)
    fresh = CaseStore(es, store_names(store), store.settings)  # a restarted process
    again = fresh.apply(ACTION, post(1), T0 + timedelta(minutes=1))
    assert again.event is None and again.case == opened.case
    store.refresh()
    assert len(list(store.search())) == 1


def test_grouping_is_found_through_search_after_a_restart(
    store: CaseStore, es: Elasticsearch
) -> None:
    opened = store.apply(ACTION, post(1), T0)
    store.refresh()
    fresh = CaseStore(es, store_names(store), store.settings)
    joined = fresh.apply(ACTION, post(2), T0 + timedelta(hours=1))
    assert joined.case.id == opened.case.id and joined.event == "mention_added"
    later = fresh.apply(ACTION, post(3), T0 + timedelta(hours=30))
    assert later.case.id != opened.case.id, "outside the window a new case opens"


def test_lifecycle_with_timestamps_and_csat(store: CaseStore) -> None:
    case = store.apply(ACTION, post(1), T0).case
    assigned = store.assign(case.id, "aiko", T0 + timedelta(minutes=10), actor="lead")
    assert (assigned.status, assigned.assigned_to) == ("assigned", "aiko")
    responded = store.respond(case.id, T0 + timedelta(minutes=30), actor="aiko")
    assert responded.first_response_at == T0 + timedelta(minutes=30)
    assert not responded.sla_breached
    closed = store.close(case.id, T0 + timedelta(hours=2), csat=5, actor="aiko")
    assert (closed.status, closed.csat, closed.do_not_market) == ("closed", 5, False)
    assert [e.kind for e in closed.history] == ["opened", "assigned", "responded", "closed"]
    with pytest.raises(CaseTransitionError, match="is closed: cannot respond to it"):
        store.respond(case.id, T0 + timedelta(hours=3))
    with pytest.raises(CaseNotFoundError):
        store.close("case-nope", T0)
    reopened = store.apply(ACTION, post(2), T0 + timedelta(hours=3))
    assert reopened.case.id != case.id, "a closed case is not reused"


def test_concurrent_writers_do_not_overwrite_each_other(
    store: CaseStore, es: Elasticsearch
) -> None:
    case = store.apply(ACTION, post(1), T0).case
    operator = CaseStore(es, store_names(store), store.settings)
    stale = es.get(index=store.index, id=case.id)
    operator.assign(case.id, "ben", T0 + timedelta(minutes=1))
    joined = store.apply(ACTION, post(2), T0 + timedelta(minutes=2))
    assert joined.case.assigned_to == "ben", "the pipeline re-read after the conflict"
    assert es.get(index=store.index, id=case.id)["_seq_no"] > stale["_seq_no"] + 1


class RacingClient:
    """A client after which someone else writes the case before each conditional write."""

    def __init__(self, es: Elasticsearch) -> None:
        self._es = es

    def __getattr__(self, name: str) -> Any:
        return getattr(self._es, name)

    def index(self, **request: Any) -> Any:
        self._es.index(index=request["index"], id=request["id"], document=request["document"])
        return self._es.index(**request)


def test_a_case_that_keeps_changing_under_the_writer_is_a_case_conflict(
    store: CaseStore, es: Elasticsearch
) -> None:
    case = store.apply(ACTION, post(1), T0).case
    racing = CaseStore(cast(Elasticsearch, RacingClient(es)), store_names(store), store.settings)
    with pytest.raises(CaseConflictError) as raised:
        racing.assign(case.id, "ben", T0 + timedelta(minutes=1))
    assert (raised.value.case_id, raised.value.attempts) == (case.id, MAX_CONFLICT_RETRIES)
    assert str(raised.value).startswith(f"case {case.id} was changed by someone else")


def test_open_cases_are_counted_until_closed(store: CaseStore) -> None:
    assert store.count_open() == 0
    first = store.apply(ACTION, post(1), T0).case
    store.apply(ACTION, post(2, author="u2"), T0)
    store.close(first.id, T0 + timedelta(hours=1))
    store.refresh()
    assert store.count_open() == 1


def test_unanswered_cases_past_their_sla_are_flagged_once(store: CaseStore) -> None:
    late = store.apply(ACTION, post(1), T0).case
    store.apply(ACTION, post(2, author="u2"), T0)
    store.respond(store.apply(ACTION, post(3, author="u3"), T0).case.id, T0)
    store.refresh()
    breached = store.mark_sla_breaches(T0 + timedelta(hours=3))
    assert [c.id for c in breached if c.id == late.id] == [late.id]
    assert len(breached) == 2
    store.refresh()
    assert store.mark_sla_breaches(T0 + timedelta(hours=4)) == []
    assert store.get(late.id).history[-1].kind == "sla_breached"


def store_names(store: CaseStore) -> IndexNames:
    return IndexNames(store.index.removesuffix("-cases"))


def test_a_batch_gives_what_one_by_one_gives_and_replays_change_nothing(
    store: CaseStore, es: Elasticsearch
) -> None:
    items = [(ACTION, post(1)), (ACTION, post(2, author="u2")), (ACTION, post(3))]
    changes = store.apply_batch(items, T0)
    assert [c.event for c in changes] == ["opened", "opened", "mention_added"]
    assert changes[2].case.id == changes[0].case.id
    assert changes[2].case.mention_ids == [post(1).id, post(3).id]
    store.refresh()
    stored = {c.id: c for c in store.search()}
    assert stored[changes[0].case.id] == changes[2].case
    fresh = CaseStore(es, store_names(store), store.settings)  # after a crash: same batch again
    again = fresh.apply_batch(items, T0 + timedelta(minutes=1))
    assert [c.event for c in again] == [None, None, None]
    assert again[2].case == changes[2].case
    later = fresh.apply_batch([(ACTION, post(4, author="u2"))], T0 + timedelta(minutes=2))
    assert later[0].event == "mention_added" and later[0].case.id == changes[1].case.id


def test_a_batch_write_that_conflicts_is_redone_on_the_fresh_case(
    store: CaseStore, es: Elasticsearch
) -> None:
    opened = store.apply_batch([(ACTION, post(1))], T0)[0].case
    operator = CaseStore(es, store_names(store), store.settings)

    original = store._find_open

    def find_then_assign(keys, now):  # type: ignore[no-untyped-def]
        found = original(keys, now)
        operator.assign(opened.id, "ben", now)  # lands between our read and our write
        return found

    store._find_open = find_then_assign  # type: ignore[method-assign]
    change = store.apply_batch([(ACTION, post(2))], T0 + timedelta(minutes=1))[0]
    assert change.event == "mention_added"
    assert change.case.assigned_to == "ben" and len(change.case.mention_ids) == 2
