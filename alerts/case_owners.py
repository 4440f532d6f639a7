"""Which case is an author's open one on a brand: one owner pointer per (brand, author key).

A pointer is a small document in ``<prefix>-case-owners`` whose id is derived from the
brand and the author key, read by id (in real time, unlike a search, which sees a write
only after the index's refresh). A pointer is created with ``op_type=create`` or moved
conditionally on the ``_seq_no``/``_primary_term`` that was read, so of pipelines opening
a case for one author at once exactly one claims the pointer; the others read it again
and join the case it names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from core import CaseConflictError, response_error

__all__ = ["CaseOwners", "Owner", "OwnerKey", "bulk_conflicts", "found_by_id", "owner_id"]

OwnerKey = tuple[str, str]
"""(brand, author key as :func:`alerts.cases.author_key` gives it)"""


@dataclass(frozen=True)
class Owner:
    """A pointer as read: the case it names, and the version a move is conditional on."""

    case_id: str
    seq_no: int
    primary_term: int


def owner_id(key: OwnerKey) -> str:
    brand, author = key
    digest = hashlib.sha256(f"{brand}|{author}".encode()).hexdigest()
    return f"owner-{digest[:32]}"


class CaseOwners:
    """Reads and moves the owner pointers in the ``<prefix>-case-owners`` index."""

    def __init__(self, client: Elasticsearch, index: str) -> None:
        self.client = client
        self.index = index

    def read(self, keys: Sequence[OwnerKey]) -> dict[OwnerKey, Owner | None]:
        """The pointers of ``keys`` (one ``mget``); None where an author has none."""
        docs = found_by_id(self.client, self.index, [owner_id(key) for key in keys])
        owners: dict[OwnerKey, Owner | None] = {}
        for key in keys:
            doc = docs.get(owner_id(key))
            owners[key] = (
                None
                if doc is None
                else Owner(str(doc["_source"]["case_id"]), doc["_seq_no"], doc["_primary_term"])
            )
        return owners

    def claim(self, key: OwnerKey, case_id: str, read: Owner | None, now: datetime) -> bool:
        """Point ``key`` at ``case_id`` if its pointer is still as ``read``; False when
        another writer moved (or created) it first."""
        return not self.claim_all({key: (case_id, read)}, now)

    def claim_all(
        self, claims: Mapping[OwnerKey, tuple[str, Owner | None]], now: datetime
    ) -> set[OwnerKey]:
        """:meth:`claim` for many keys in one ``bulk``; the keys another writer got first."""
        operations: list[dict[str, Any]] = []
        for key, (case_id, read) in claims.items():
            head: dict[str, Any] = {"_index": self.index, "_id": owner_id(key)}
            if read is not None:
                head |= {"if_seq_no": read.seq_no, "if_primary_term": read.primary_term}
            brand, author = key
            document = {
                "case_id": case_id,
                "brand": brand,
                "author_key": author,
                "updated_at": now.isoformat(),
            }
            operations += [{"create" if read is None else "index": head}, document]
        return bulk_conflicts(self.client, operations, list(claims), "claim case owners")

    def move(self, key: OwnerKey, from_id: str, to_id: str, now: datetime, attempts: int) -> None:
        """Point ``key`` at ``to_id`` where it names ``from_id`` (a case merged into
        ``to_id``), re-reading on a conflict; left as it is when it names another case."""
        for _ in range(attempts):
            read = self.read([key])[key]
            if read is None or read.case_id != from_id or self.claim(key, to_id, read, now):
                return
        raise CaseConflictError(from_id, attempts)


def found_by_id(client: Elasticsearch, index: str, ids: Sequence[str]) -> dict[str, Any]:
    """The documents of ``ids`` that exist (one ``mget``, real time), by id; none when the
    index does not exist yet."""
    if not ids:
        return {}
    found: dict[str, Any] = {}
    for doc in client.mget(index=index, ids=list(dict.fromkeys(ids)))["docs"]:
        error = doc.get("error")
        if error is not None and error.get("type") != "index_not_found_exception":
            raise response_error(f"read from {index}", 500, error)
        if doc.get("found"):
            found[str(doc["_id"])] = doc
    return found


def bulk_conflicts(
    client: Elasticsearch, operations: list[dict[str, Any]], keys: Sequence[Any], what: str
) -> set[Any]:
    """Run a ``bulk`` of one operation per key (in order); the keys whose operation was
    refused with a version conflict (409). Any other refusal is an error."""
    if not operations:
        return set()
    response = client.bulk(operations=operations)
    conflicts = set()
    for key, item in zip(keys, response["items"], strict=True):
        result = next(iter(item.values()))
        if result.get("status") == 409:
            conflicts.add(key)
        elif "error" in result:
            raise response_error(what, result["status"], result["error"])
    return conflicts
