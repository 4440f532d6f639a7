"""The inbox: a typed query over cases (filters, free text, an order, a page) and the
Elasticsearch search it becomes.

Most urgent first means by priority (``urgent`` first), then by SLA due time, then by id;
``newest`` by opening time. The priority's rank is the search score (a weight for each
priority), so the order needs no script: clusters without painless sort the same way.
Pages follow each other with an opaque cursor (the previous page's ``next_cursor``:
Elasticsearch's ``search_after``), so a page is found as fast at the thousandth case as at
the first; every page has the total count of matching cases. The search asks for the shard
request cache: the same page asked again (a team's agents share their inbox) is answered
from it until the cases index next changes, with exactly the uncached answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from core import (
    OPEN_CASE_STATUSES,
    PRIORITIES,
    PRIORITY_ORDER,
    Case,
    CaseStatus,
    CaseValueError,
    Priority,
)

__all__ = ["MAX_PAGE_SIZE", "CasePage", "CaseQuery", "CaseSort", "inbox_page", "inbox_search"]

CaseSort = Literal["urgency", "newest"]
MAX_PAGE_SIZE = 500
SORTS: dict[str, list[dict[str, str]]] = {
    "urgency": [{"_score": "desc"}, {"sla_due_at": "asc"}, {"id": "asc"}],
    "newest": [{"opened_at": "desc"}, {"id": "asc"}],
}
# Japanese has no spaces, and without kuromoji the analyzer splits it into characters: CJK
# words are matched as phrases (characters adjacent, in order), others need every word.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
WILDCARD_SPECIALS = re.compile(r"([*?\\])")


@dataclass(frozen=True)
class CaseQuery:
    """Which cases the inbox lists, in which order, which page of them.

    A filter left ``None`` matches any case. ``teams``: the cases of these teams (an empty
    list matches none; a case without a team only matches ``None``). ``status``: the open
    statuses unless given. ``assignee``: a user name (the caller resolves "me");
    ``unassigned``: only cases nobody holds. ``tagged``: whether the first post addressed the
    brand's handle. ``text``: words in the first post's excerpt or the author's name, part
    of the author's handle, or a case id. ``after``: the ``next_cursor`` of the page before.
    A bad value raises :class:`core.CaseValueError` naming its field.
    """

    teams: Sequence[str] | None = None
    brand: str | None = None
    priority: Priority | None = None
    status: Sequence[CaseStatus] = OPEN_CASE_STATUSES
    source: str | None = None
    lang: str | None = None
    tagged: bool | None = None
    assignee: str | None = None
    unassigned: bool = False
    sla_breached: bool | None = None
    due_before: datetime | None = None
    text: str | None = None
    sort: CaseSort = "urgency"
    page_size: int = 50
    after: str | None = None

    def __post_init__(self) -> None:
        if self.priority is not None and self.priority not in PRIORITIES:
            raise CaseValueError("priority", f"one of {', '.join(PRIORITIES)}", self.priority)
        statuses = get_args(CaseStatus)
        unknown = [s for s in self.status if s not in statuses]
        if unknown or not self.status:
            raise CaseValueError("status", f"one or more of {', '.join(statuses)}", unknown)
        if self.assignee is not None and self.unassigned:
            raise CaseValueError("unassigned", "cannot be asked with an assignee")
        if self.sort not in SORTS:
            raise CaseValueError("sort", f"one of {', '.join(SORTS)}", self.sort)
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise CaseValueError("page_size", f"from 1 to {MAX_PAGE_SIZE}", self.page_size)
        if self.after is not None:
            _decode_cursor(self.after, self.sort)


@dataclass(frozen=True)
class CasePage:
    """One page of the inbox: its cases, how many match in all, and the cursor of the next
    page (None on the last)."""

    cases: list[Case]
    total: int
    next_cursor: str | None


def inbox_search(query: CaseQuery) -> dict[str, Any]:
    """The search request (keyword arguments of ``Elasticsearch.search``) for one page; it
    asks for one case more than the page, to know whether another page follows."""
    matching = {"bool": _conditions(query)}
    request: dict[str, Any] = {
        "query": _ranked_by_priority(matching) if query.sort == "urgency" else matching,
        "sort": SORTS[query.sort],
        "size": query.page_size + 1,
        "track_total_hits": True,
        "request_cache": True,  # refreshed with the index: never a stale answer
    }
    if query.after is not None:
        request["search_after"] = _decode_cursor(query.after, query.sort)
    return request


def inbox_page(query: CaseQuery, response: Mapping[str, Any]) -> CasePage:
    """The page in a response to :func:`inbox_search`."""
    hits = response["hits"]["hits"]
    shown = hits[: query.page_size]
    more = len(hits) > query.page_size
    return CasePage(
        cases=[Case.model_validate(hit["_source"]) for hit in shown],
        total=int(response["hits"]["total"]["value"]),
        next_cursor=_encode_cursor(query.sort, shown[-1]["sort"]) if more else None,
    )


def _ranked_by_priority(matching: dict[str, Any]) -> dict[str, Any]:
    """``matching`` scored by priority: ``urgent`` highest (the conditions are filters, so
    nothing else adds to the score)."""
    weights = [
        {"filter": {"term": {"priority": priority}}, "weight": len(PRIORITIES) - rank}
        for priority, rank in PRIORITY_ORDER.items()
    ]
    return {
        "function_score": {
            "query": matching,
            "functions": weights,
            "score_mode": "first",
            "boost_mode": "replace",
        }
    }


def _conditions(query: CaseQuery) -> dict[str, list[dict[str, Any]]]:
    must: list[dict[str, Any]] = [{"terms": {"status": list(query.status)}}]
    must_not: list[dict[str, Any]] = []
    if query.teams is not None:
        must.append({"terms": {"team": list(query.teams)}})
    for field in ("brand", "priority", "source", "lang"):
        value = getattr(query, field)
        if value is not None:
            must.append({"term": {field: value}})
    for field in ("tagged", "sla_breached"):  # documents older than the field count as false
        value = getattr(query, field)
        if value is not None:
            (must if value else must_not).append({"term": {field: True}})
    if query.assignee is not None:
        must.append({"term": {"assigned_to": query.assignee}})
    if query.unassigned:
        must_not.append({"exists": {"field": "assigned_to"}})
    if query.due_before is not None:
        must.append({"range": {"sla_due_at": {"lt": query.due_before.isoformat()}}})
    if query.text is not None and query.text.strip():
        must.append(_text_condition(query.text.strip()))
    return {"filter": must, "must_not": must_not}


def _text_condition(text: str) -> dict[str, Any]:
    words: dict[str, Any] = {"type": "phrase"} if CJK.search(text) else {"operator": "and"}
    handle = WILDCARD_SPECIALS.sub(r"\\\1", text.lstrip("@"))
    return {
        "bool": {
            "should": [
                {"multi_match": {"query": text, "fields": ["excerpt", "author.name"], **words}},
                {"wildcard": {"author.handle": {"value": f"*{handle}*", "case_insensitive": True}}},
                {"term": {"id": text}},
            ],
            "minimum_should_match": 1,
        }
    }


def _encode_cursor(sort: str, values: Sequence[Any]) -> str:
    raw = json.dumps({"sort": sort, "after": list(values)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The ``search_after`` values in ``cursor``, if it is one of ``sort``'s."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        data = None
    after = data.get("after") if isinstance(data, dict) and data.get("sort") == sort else None
    if not isinstance(after, list) or len(after) != len(SORTS[sort]):
        raise CaseValueError("after", f"not a cursor of an earlier page sorted by {sort}")
    if not all(isinstance(value, int | float | str) for value in after):
        raise CaseValueError("after", f"not a cursor of an earlier page sorted by {sort}")
    return after
