"""Crawl state, each backend alike: cursors per (source, query) that only move forward, also
under crawls that overlap; seen ids with a refresh window, forgotten after ``seen_days`` and
shared by every machine; run history."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable

import pytest

from core.records import Engagement, Mention
from crawlers.state import CrawlRun
from tests.crawlers.state_stores import CrawlStateStore

ONE_SECOND = 1 / 86_400  # in days


def test_cursors_are_per_source_and_query(crawl_state_store: CrawlStateStore) -> None:
    state = crawl_state_store.open()
    state.save_cursors("hn", {"hoshi": "10", "nami": "20"})
    state.save_cursors("hn", {"hoshi": "11"})
    state.save_cursors("news", {"hoshi": "x"})
    assert state.cursors("hn") == {"hoshi": "11", "nami": "20"}
    assert state.cursor("news", "hoshi") == "x"
    assert state.cursor("news", "nami") is None
    assert state.cursors("none") == {}
    state.close()


def test_numbers_and_times_only_move_forward(crawl_state_store: CrawlStateStore) -> None:
    state = crawl_state_store.open()
    state.save_cursors("hn", {"ids": "1000", "since": "2026-11-20T09:00:00+00:00"})
    kept = state.save_cursors(
        "hn",
        {"ids": "999.5", "since": "2026-11-20T18:00:00+09:00"},  # 09:00 UTC: not later
        started_from={"ids": "1000", "since": "2026-11-20T09:00:00+00:00"},
    )
    assert kept == ["ids", "since"]
    assert state.save_cursors("hn", {"ids": "1001", "since": "2026-11-20T09:00:01Z"}) == []
    assert state.cursors("hn") == {"ids": "1001", "since": "2026-11-20T09:00:01Z"}
    state.close()


def test_a_cursor_without_an_order_moves_only_from_where_the_crawl_started(
    crawl_state_store: CrawlStateStore,
) -> None:
    state = crawl_state_store.open()
    read_to = json.dumps({"offset": 500, "line": 10})
    replaced = json.dumps({"offset": 40, "line": 1})  # the file was replaced: back to its start
    state.save_cursors("imp", {"a.csv": read_to})
    assert state.save_cursors("imp", {"a.csv": replaced}, started_from={"a.csv": read_to}) == []
    assert state.cursor("imp", "a.csv") == replaced
    stale = json.dumps({"offset": 900, "line": 20})  # a crawl that started before the last one
    assert state.save_cursors("imp", {"a.csv": stale}, started_from={"a.csv": read_to}) == ["a.csv"]
    assert state.cursor("imp", "a.csv") == replaced
    state.close()


@pytest.mark.slow
def test_cursors_never_move_back_under_concurrent_crawls(
    crawl_state_store: CrawlStateStore,
) -> None:
    """Eight "machines" at once, each reading the cursors, proposing later positions (a
    number, and a file position of the importer's, which has no order) a little behind or
    ahead of each other, and saving; a reader sees each cursor only ever move forward."""
    writers, rounds = 8, 25
    stop = threading.Event()
    seen: list[tuple[float, int]] = []
    failures: list[BaseException] = []

    def write(seed: int) -> None:
        state, chance = crawl_state_store.open(), random.Random(seed)
        try:
            for _ in range(rounds):
                start = state.cursors("src")
                number = float(start.get("num", "0")) + chance.randint(-3, 5)
                offset = json.loads(start.get("file", '{"offset": 0}'))["offset"]
                time.sleep(chance.random() / 500)  # the crawl
                proposed = {"num": repr(number), "file": json.dumps({"offset": offset + 1})}
                state.save_cursors("src", proposed, started_from=start)
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            state.close()

    def read() -> None:
        state = crawl_state_store.open()
        while not stop.is_set():
            cursors = state.cursors("src")
            if cursors:
                seen.append((float(cursors["num"]), json.loads(cursors["file"])["offset"]))
        state.close()

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    stop.set()
    reader.join(30)
    assert not failures, failures
    numbers, offsets = [n for n, _ in seen], [o for _, o in seen]
    assert numbers == sorted(numbers) and offsets == sorted(offsets)
    final = crawl_state_store.open()
    offset = json.loads(final.cursors("src")["file"])["offset"]
    final.close()
    assert 1 <= offset <= writers * rounds  # each save moved it by one from where it started


def test_novelty_new_then_known_then_changed_within_the_window(
    crawl_state_store: CrawlStateStore, make_mentions: Callable[..., list[Mention]]
) -> None:
    state = crawl_state_store.open()
    mention = make_mentions(1)[0]
    assert state.novelty(mention, 3600) == "new"
    state.remember([mention])
    assert state.novelty(mention, 3600) == "known"
    liked = mention.model_copy(update={"engagement": Engagement(likes=99)})
    assert state.novelty(liked, 3600) == "changed"
    assert state.novelty(liked, 0) == "known"  # outside the refresh window: not re-emitted
    deleted = mention.model_copy(update={"deleted": True})
    assert state.novelty(deleted, 3600) == "changed"
    state.remember([liked])
    assert state.novelty(liked, 3600) == "known"
    state.close()


def test_seen_ids_are_shared_by_every_machine(
    crawl_state_store: CrawlStateStore, make_mentions: Callable[..., list[Mention]]
) -> None:
    here, there = crawl_state_store.open(), crawl_state_store.open()
    first, second = make_mentions(2)
    here.remember([first])
    there.remember([second])
    for state in (here, there):
        assert state.has_seen(first.id) and state.has_seen(second.id)
        assert state.novelty(first, 3600) == state.novelty(second, 3600) == "known"
    here.close()
    there.close()


@pytest.mark.slow
def test_an_id_not_collected_for_seen_days_is_forgotten(
    crawl_state_store: CrawlStateStore, make_mentions: Callable[..., list[Mention]]
) -> None:
    state = crawl_state_store.open(seen_days=ONE_SECOND)
    kept, forgotten = make_mentions(2)
    state.remember([kept, forgotten])
    time.sleep(0.6)
    state.remember([kept])  # collected again (changed): remembered from now
    time.sleep(0.7)
    state.record_run(CrawlRun("hn", 0, 1, ok=True))  # SQLite deletes the forgotten then
    assert state.has_seen(kept.id)
    assert not state.has_seen(forgotten.id)
    assert state.novelty(forgotten, 3600) == "new"
    state.close()


def test_runs_newest_first(crawl_state_store: CrawlStateStore) -> None:
    state = crawl_state_store.open()
    now = time.time()
    state.record_run(CrawlRun("hn", now, now + 1, ok=True, pages=2, mentions_new=5))
    state.record_run(CrawlRun("hn", now + 2, now + 3, ok=False, error="boom"))
    latest, earlier = state.runs("hn")
    assert (latest.ok, latest.error) == (False, "boom")
    assert earlier.mentions == 5
    assert earlier == CrawlRun("hn", now, now + 1, ok=True, pages=2, mentions_new=5)
    assert [run.ok for run in state.runs("hn", limit=1)] == [False]
    assert state.runs("other") == []
    state.close()
