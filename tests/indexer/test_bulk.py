"""The indexer against the real local Elasticsearch: counts, idempotence, failures, outage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from config.settings import IndexerSettings
from core import IndexNames
from core.records import Mention
from indexer import (
    DeadLetterFile,
    Indexer,
    Spool,
    implausible_date,
    install_templates,
    search_mentions,
)
from indexer.actions import BulkDoc

pytestmark = pytest.mark.elasticsearch


def make_indexer(es: Elasticsearch, names: IndexNames, tmp_path: Path, **settings: Any) -> Indexer:
    install_templates(es, names)
    return Indexer(
        es,
        names,
        IndexerSettings(**settings),
        Spool(tmp_path / "spool"),
        DeadLetterFile(tmp_path / "dead-letters.jsonl"),
    )


def count(es: Elasticsearch, names: IndexNames) -> int:
    es.indices.refresh(index=names.mentions_alias)
    return int(es.count(index=names.mentions_alias)["count"])


@pytest.mark.slow
def test_ten_thousand_in_ten_thousand_out_and_reindex_updates_in_place(
    es: Elasticsearch, index_names: IndexNames, tmp_path: Path, make_mentions: Any
) -> None:
    indexer = make_indexer(es, index_names, tmp_path, batch_size=800)
    mentions = make_mentions(10_000, likes=1)
    first = indexer.index(mentions)
    assert (first.indexed, first.updated, first.dead_lettered, first.spooled) == (10_000, 0, 0, 0)
    assert count(es, index_names) == 10_000
    monthly = es.indices.get_alias(name=index_names.mentions_alias)
    months = {index_names.mention_index(m.published_at) for m in mentions}
    assert months == {f"{index_names.prefix}-mentions-2026.{m}" for m in ("10", "11")}
    assert months <= set(monthly)

    again = indexer.index(make_mentions(10_000, likes=42))
    assert (again.indexed, again.updated) == (0, 10_000)
    assert count(es, index_names) == 10_000
    likes = es.search(
        index=index_names.mentions_alias,
        size=0,
        aggs={"min": {"min": {"field": "engagement.likes"}}},
    )["aggregations"]["min"]["value"]
    assert likes == 42


def test_malformed_mentions_are_dead_lettered_with_reason_and_the_rest_indexed(
    es: Elasticsearch, index_names: IndexNames, tmp_path: Path, make_mentions: Any
) -> None:
    indexer = make_indexer(es, index_names, tmp_path)
    good = [m.model_dump_json() for m in make_mentions(5)]
    bad_date = json.loads(good[0]) | {"native_id": "bad", "id": "", "published_at": "yesterday"}
    lines = [good[0], json.dumps(bad_date), "{not json", *good[1:]]

    report = indexer.index(lines)

    assert (report.indexed, report.dead_lettered) == (5, 2)
    assert count(es, index_names) == 5
    letters = indexer.dead_letters.read()
    assert [entry["input_number"] for entry in letters] == [2, 3]
    assert letters[0]["field"] == "published_at"
    assert "published_at" in letters[0]["reason"]
    assert "not valid JSON" in letters[1]["reason"]


def test_documents_elasticsearch_refuses_are_dead_lettered_with_its_reason(
    es: Elasticsearch, index_names: IndexNames, tmp_path: Path, make_mentions: Any
) -> None:
    indexer = make_indexer(es, index_names, tmp_path)
    mentions = make_mentions(6000)  # October and November
    october = f"{index_names.prefix}-mentions-2026.10"
    indexer.index(mentions[:1])
    es.indices.put_settings(index=october, settings={"index.blocks.write": True})
    try:
        report = indexer.index(mentions)
    finally:
        es.indices.put_settings(index=october, settings={"index.blocks.write": False})

    in_october = sum(1 for m in mentions if m.published_at.month == 10)
    assert report.dead_lettered == in_october
    assert report.indexed == len(mentions) - in_october
    letter = indexer.dead_letters.read()[0]
    assert letter["status"] == 403
    assert "cluster_block_exception" in letter["reason"]
    assert Mention.model_validate_json(letter["document"]).published_at.month == 10


@pytest.mark.parametrize(
    "published_at",
    [datetime(9999, 12, 31, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)],
    ids=["year-9999", "year-1"],
)
def test_an_implausible_date_is_dead_lettered_and_makes_no_index(
    es: Elasticsearch,
    index_names: IndexNames,
    tmp_path: Path,
    make_mentions: Any,
    published_at: datetime,
) -> None:
    indexer = make_indexer(es, index_names, tmp_path)
    good = make_mentions(3)
    odd = Mention(
        source="hackernews",
        native_id="odd",
        text="a post from an odd clock",
        published_at=published_at,
        collected_at=good[0].collected_at,
    )

    report = indexer.index([good[0], odd, *good[1:]])

    assert (report.indexed, report.dead_lettered) == (3, 1)
    [letter] = indexer.dead_letters.read()
    assert letter["id"] == odd.id and "published_at" in letter["reason"]
    assert "plausible" in letter["reason"]
    assert Mention.model_validate_json(letter["document"]) == odd
    months = set(es.indices.get(index=f"{index_names.prefix}-mentions-*"))
    assert not [m for m in months if m.endswith(f"-{published_at:%Y.%m}")]


def test_the_plausible_window_runs_from_1990_to_a_day_ahead() -> None:
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert implausible_date(now + timedelta(hours=23), now) is None
    assert implausible_date(datetime(1990, 1, 1, tzinfo=UTC), now) is None
    ahead = implausible_date(now + timedelta(hours=25), now)
    assert ahead is not None and "2026-12-01T13:00:00+00:00" in ahead
    assert implausible_date(datetime(1989, 12, 31, 23, 59, tzinfo=UTC), now) is not None


def test_a_japanese_mention_is_found_by_a_japanese_word(
    es: Elasticsearch, index_names: IndexNames, tmp_path: Path, make_mentions: Any
) -> None:
    indexer = make_indexer(es, index_names, tmp_path)
    indexer.index(make_mentions(12))
    count(es, index_names)

    hits = search_mentions(es, index_names, "通信障害", size=20)
    assert hits and all("通信障害" in hit["text"] for hit in hits)
    assert len(hits) == sum("通信障害" in m.text for m in make_mentions(12))
    assert search_mentions(es, index_names, "障害通信") == []
    english = search_mentions(es, index_names, "double charge", size=20)
    assert english and all("double charge" in hit["text"] for hit in english)


@pytest.mark.slow
def test_outage_mid_run_spools_then_replays_everything(
    elasticsearch_node: Any,
    es: Elasticsearch,
    index_names: IndexNames,
    tmp_path: Path,
    make_mentions: Any,
) -> None:
    indexer = make_indexer(
        es,
        index_names,
        tmp_path,
        batch_size=500,
        max_retries=2,
        initial_backoff_seconds=0.05,
        max_backoff_seconds=0.5,
    )
    mentions = make_mentions(10_000)

    def stream() -> Iterator[Mention]:
        for number, mention in enumerate(mentions):
            if number == 4000:
                elasticsearch_node.node.stop()
            yield mention

    try:
        during = indexer.index(stream())
    finally:
        elasticsearch_node.node.start()

    assert during.spooled >= 6000
    assert during.indexed + during.spooled == 10_000
    assert indexer.spool.pending_count() == during.spooled

    after = indexer.replay()
    assert after.replayed == during.spooled
    assert after.indexed + after.updated == during.spooled
    assert indexer.spool.pending() == []
    assert count(es, index_names) == 10_000
    assert indexer.dead_letters.read() == []


def test_index_replays_the_spool_first(
    es: Elasticsearch, index_names: IndexNames, tmp_path: Path, make_mentions: Any
) -> None:
    indexer = make_indexer(es, index_names, tmp_path)
    earlier, later = make_mentions(20)[:10], make_mentions(20)[10:]
    indexer.spool.write([BulkDoc.from_mention(m, index_names) for m in earlier])

    report = indexer.index(later)

    assert (report.replayed, report.indexed, report.spooled) == (10, 20, 0)
    assert count(es, index_names) == 20
