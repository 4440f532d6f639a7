"""The outage spool and the dead letters on a real, full file system: one clear error, no
partial file or line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core import IndexNames
from core.errors import StorageFullError
from indexer.actions import BulkDoc
from indexer.dead_letters import DeadLetterFile
from indexer.spool import Spool
from tests.small_filesystem import fill, small_filesystem


def test_a_full_disk_leaves_no_partial_spool_file(tmp_path: Path, make_mentions: Any) -> None:
    docs = [BulkDoc.from_mention(m, IndexNames("kk")) for m in make_mentions(200)]
    with small_filesystem(tmp_path / "small", "1m") as directory:
        spool = Spool(directory / "spool")
        spool.write(docs[:1])
        dead_letters = DeadLetterFile(directory / "dead-letters.jsonl")
        dead_letters.write([{"reason": "first"}])
        filler = fill(directory)
        with pytest.raises(StorageFullError, match="disk is full"):
            spool.write(docs)
        assert sorted(p.suffix for p in spool.directory.iterdir()) == [".ndjson"]
        with pytest.raises(StorageFullError, match="disk is full"):
            dead_letters.write([{"reason": "x" * 100_000}])
        filler.unlink()
        spool.write(docs)
        dead_letters.write([{"reason": "second"}])
        assert spool.pending_count() == 201
        assert [e["reason"] for e in dead_letters.read()] == ["first", "second"]
