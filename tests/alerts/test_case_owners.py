"""Owner pointers in the real Elasticsearch: writers on separate processes (separate case
stores) that take one author's posts at once make one case; a pointer left naming a case
that was never written, a case opened before pointers, closed and merged cases."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from alerts.case_owners import owner_id
from alerts.cases import CaseChange, CaseStore, author_key, case_id_for
from alerts.rules import CaseAction
from config.rules import CaseSettings
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author
from indexer.templates import install_templates

pytestmark = pytest.mark.elasticsearch

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BRAND = "Hoshi Mobile"
ACTION = CaseAction(
    brand=BRAND,
    priority="high",
    team="care",
    rule="complaint",
    reason="complaint: negative",
    do_not_market=False,
    notify=("hook",),
)
WORKERS = 4
ROUNDS = 5


def post(number: int, author: str = "u1") -> AnalyzedMention:
    return AnalyzedMention(
        source="hn",
        native_id=str(number),
        text=f"post {number}",
        published_at=T0,
        collected_at=T0,
        author=Author(id=author, handle=author),
    )


@pytest.fixture
def names(es: Elasticsearch, index_names: IndexNames) -> IndexNames:
    install_templates(es, index_names)
    return index_names


def worker(es: Elasticsearch, names: IndexNames) -> CaseStore:
    """The case store of one pipeline process."""
    return CaseStore(es, names, CaseSettings(group_window_hours=24))


def pointer(es: Elasticsearch, names: IndexNames, author: str = "u1") -> str:
    key = (BRAND, author_key(post(0, author)))
    return str(es.get(index=names.case_owners_index, id=owner_id(key))["_source"]["case_id"])


def cases_of(es: Elasticsearch, names: IndexNames) -> dict[str, list[str]]:
    es.indices.refresh(index=names.cases_index)
    hits = es.search(index=names.cases_index, size=1000)["hits"]["hits"]
    return {hit["_id"]: sorted(hit["_source"]["mention_ids"]) for hit in hits}


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def test_workers_taking_one_authors_posts_at_once_open_one_case(
    es: Elasticsearch, names: IndexNames
) -> None:
    for round_ in range(ROUNDS):
        author = f"a{round_}"
        stores = [worker(es, names) for _ in range(WORKERS)]
        posts = [post(round_ * 100 + number, author) for number in range(WORKERS)]
        changes: list[CaseChange] = at_once(
            [partial(s.apply, ACTION, p, T0) for s, p in zip(stores, posts, strict=True)]
        )
        assert len({change.case.id for change in changes}) == 1
        assert [change.event for change in changes].count("opened") == 1
    found = cases_of(es, names)
    assert len(found) == ROUNDS, found
    assert all(len(mentions) == WORKERS for mentions in found.values())


def test_workers_taking_batches_of_the_same_authors_at_once_open_one_case_each(
    es: Elasticsearch, names: IndexNames
) -> None:
    authors = [f"b{number}" for number in range(6)]
    batches = [
        [(ACTION, post(w * 100 + number, author)) for number, author in enumerate(authors)]
        for w in range(WORKERS)
    ]
    stores = [worker(es, names) for _ in range(WORKERS)]
    results: list[list[CaseChange]] = at_once(
        [partial(s.apply_batch, b, T0) for s, b in zip(stores, batches, strict=True)]
    )
    found = cases_of(es, names)
    assert len(found) == len(authors), found
    assert sorted(m for mentions in found.values() for m in mentions) == sorted(
        p.id for batch in batches for _, p in batch
    )
    opened = [c.case.id for changes in results for c in changes if c.event == "opened"]
    assert sorted(opened) == sorted(found), "each case opened once, as its pointer names"
    for author in authors:
        assert pointer(es, names, author) in found


def test_a_pointer_to_a_case_never_written_is_taken_by_the_next_post(
    es: Elasticsearch, names: IndexNames
) -> None:
    store = worker(es, names)
    key = (BRAND, author_key(post(1)))
    crashed = case_id_for(*key, post(1).id)
    assert store.owners.claim(key, crashed, None, T0), "claimed, then the process died"
    replayed = worker(es, names).apply(ACTION, post(1), T0 + timedelta(minutes=1))
    assert (replayed.event, replayed.case.id) == ("opened", crashed), "the replay recreates it"

    es.index(
        index=names.case_owners_index,
        id=owner_id((BRAND, author_key(post(2, "u2")))),
        document={"case_id": "case-gone", "brand": BRAND, "author_key": "hn:u2"},
    )
    other = store.apply(ACTION, post(2, "u2"), T0)
    assert (other.event, other.case.id) == ("opened", "case-gone")
    joined = worker(es, names).apply(ACTION, post(3, "u2"), T0 + timedelta(minutes=1))
    assert (joined.event, joined.case.id) == ("mention_added", "case-gone")


def test_a_case_opened_before_pointers_is_still_joined_and_then_pointed_at(
    es: Elasticsearch, names: IndexNames
) -> None:
    old = worker(es, names).apply(ACTION, post(1), T0).case
    key = (BRAND, author_key(post(1)))
    es.delete(index=names.case_owners_index, id=owner_id(key))  # as an earlier version left it
    es.indices.refresh(index=names.cases_index)

    joined = worker(es, names).apply_batch([(ACTION, post(2))], T0 + timedelta(minutes=5))[0]
    assert (joined.event, joined.case.id) == ("mention_added", old.id)
    assert pointer(es, names) == old.id
    again = worker(es, names).apply(ACTION, post(3), T0 + timedelta(minutes=6))
    assert again.case.mention_ids == [post(1).id, post(2).id, post(3).id]


def test_a_closed_case_is_followed_by_a_new_one_that_the_pointer_names(
    es: Elasticsearch, names: IndexNames
) -> None:
    store = worker(es, names)
    first = store.apply(ACTION, post(1), T0).case
    store.close(first.id, T0 + timedelta(minutes=10))
    other = worker(es, names)
    second = other.apply_batch([(ACTION, post(2))], T0 + timedelta(minutes=20))[0]
    assert second.event == "opened" and second.case.id != first.id
    assert pointer(es, names) == second.case.id
    third = store.apply(ACTION, post(3), T0 + timedelta(minutes=21))
    assert (third.event, third.case.id) == ("mention_added", second.case.id)


def test_after_a_merge_the_authors_next_post_joins_the_target(
    es: Elasticsearch, names: IndexNames
) -> None:
    store = worker(es, names)
    target = store.apply(ACTION, post(1), T0).case
    source = store.apply(ACTION, post(2), T0 + timedelta(hours=30)).case  # past the window
    assert source.id != target.id and pointer(es, names) == source.id
    store.merge(source.id, target.id, T0 + timedelta(hours=31))
    assert pointer(es, names) == target.id
    joined = worker(es, names).apply(ACTION, post(3), T0 + timedelta(hours=32))
    assert (joined.event, joined.case.id) == ("mention_added", target.id)
    assert joined.case.mention_ids == [post(1).id, post(2).id, post(3).id]
