"""Turn records into bulk ``index`` actions, bounded in count and bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from core import IndexNames, Mention


@dataclass(frozen=True)
class BulkDoc:
    """One document ready for the bulk API: its id, target index and JSON source."""

    id: str
    index: str
    source: bytes

    @classmethod
    def from_mention(cls, mention: Mention, names: IndexNames) -> BulkDoc:
        return cls(
            id=mention.id,
            index=names.mention_index(mention.published_at),
            source=mention.model_dump_json(exclude_none=True).encode(),
        )

    @classmethod
    def from_lines(cls, action: bytes, source: bytes) -> BulkDoc:
        meta = json.loads(action)["index"]
        return cls(id=meta["_id"], index=meta["_index"], source=source)

    def body(self) -> bytes:
        """The two NDJSON lines of this document in a bulk request."""
        action = json.dumps({"index": {"_index": self.index, "_id": self.id}}).encode()
        return b"%s\n%s\n" % (action, self.source)


def batches(docs: Iterable[BulkDoc], max_docs: int, max_bytes: int) -> Iterator[list[BulkDoc]]:
    """Group ``docs`` into lists of at most ``max_docs`` and about ``max_bytes`` each."""
    batch: list[BulkDoc] = []
    size = 0
    for doc in docs:
        doc_size = len(doc.source) + len(doc.id) + len(doc.index) + 40
        if batch and (len(batch) >= max_docs or size + doc_size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(doc)
        size += doc_size
    if batch:
        yield batch
