"""Bulk actions and batching (no server needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.index_names import IndexNames
from indexer.actions import BulkDoc, batches
from indexer.spool import Spool, read_spool_file


def test_a_mention_goes_to_its_monthly_index_with_its_id(make_mentions: Any) -> None:
    mention = make_mentions(1)[0]
    doc = BulkDoc.from_mention(mention, IndexNames("kk"))
    action, source = doc.body().splitlines()
    assert json.loads(action) == {"index": {"_index": "kk-mentions-2026.10", "_id": mention.id}}
    assert json.loads(source)["native_id"] == "0"
    assert "title" not in json.loads(source)  # None fields are left out


def test_batches_are_bounded_by_count_and_bytes(make_mentions: Any) -> None:
    docs = [BulkDoc.from_mention(m, IndexNames("kk")) for m in make_mentions(25)]
    by_count = list(batches(docs, max_docs=10, max_bytes=10**9))
    assert [len(b) for b in by_count] == [10, 10, 5]
    by_bytes = list(batches(docs, max_docs=1000, max_bytes=2 * len(docs[0].body())))
    assert all(1 <= len(b) <= 2 for b in by_bytes)
    assert sum(len(b) for b in by_bytes) == 25


def test_spool_round_trip_in_write_order(tmp_path: Path, make_mentions: Any) -> None:
    spool = Spool(tmp_path / "spool")
    docs = [BulkDoc.from_mention(m, IndexNames("kk")) for m in make_mentions(6)]
    first = spool.write(docs[:4])
    spool.write(docs[4:])
    assert spool.pending()[0] == first
    assert spool.pending_count() == 6
    assert read_spool_file(first) == docs[:4]
    spool.replace(first, docs[2:4])
    assert read_spool_file(first) == docs[2:4]
    spool.replace(first, [])
    assert spool.pending_count() == 2
