"""The live inbox: a Server-Sent Events stream of the cases that change.

Each connection polls :meth:`CaseService.changes` every :data:`POLL_SECONDS` and sends
``card`` events (the card's id, its HTML from the inbox's own template, and its place in
the order) for changed cases that match the page's filters, ``gone`` for those that no
longer do, and ``problem`` while Elasticsearch cannot answer (the stream stays open and
tries again). Each event's id is the latest write seen: a browser reconnecting sends it
back as ``Last-Event-ID`` and misses nothing. Every poll looks :data:`LOOKBACK` further
back than that, since a write becomes searchable up to a second after its time; what was
sent already is not sent again (a repeat would be harmless: the page replaces a card by
its id). After a full answer (a burst of writes) the next poll starts at the latest write
seen, without waiting, so a stream never falls behind. A stream ends when the app is
stopping (``app.state.stopping``), so that open pages do not hold up a graceful stop.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from core import KikimimiError
from kikimimi.web.access import Principal
from kikimimi.web.casework.filters import InboxFilters
from kikimimi.web.casework.service import CaseService
from kikimimi.web.casework.views import CaseCard

POLL_SECONDS = 0.5
LOOKBACK = timedelta(seconds=10)
KEEPALIVE_SECONDS = 15.0
RETRY_MILLISECONDS = 2000
MAX_REMEMBERED = 5_000  # cases sent, to send each change once

RenderCard = Callable[[CaseCard], str]


def since_of(last_event_id: str | None, since: datetime | None, now: datetime) -> datetime:
    """Where a stream starts: after the last event the browser saw, else ``since`` (when
    its page was rendered), else now."""
    if last_event_id:
        try:
            seen = datetime.fromisoformat(last_event_id)
        except ValueError:
            seen = None
        if seen is not None and seen.tzinfo is not None:
            return seen
    if since is not None and since.tzinfo is not None:
        return since
    return now


async def case_events(
    request: Request,
    *,
    service: CaseService,
    principal: Principal,
    filters: InboxFilters,
    start: datetime,
    render: RenderCard,
) -> AsyncIterator[str]:
    """The event stream of one inbox page, until the browser goes away or the app stops."""
    stopping: threading.Event = request.app.state.stopping
    cursor = start
    sent: dict[str, datetime | None] = {}
    quiet = 0.0
    catching_up = False
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    while not stopping.is_set() and not await request.is_disconnected():
        since = cursor if catching_up else cursor - LOOKBACK
        try:
            changes = await run_in_threadpool(service.changes, principal, since, filters)
        except KikimimiError as error:
            yield _event("problem", {"error": str(error)}, None)
            await asyncio.sleep(RETRY_MILLISECONDS / 1000)
            continue
        advanced = changes.latest is not None and changes.latest > cursor
        if changes.latest is not None and advanced:
            cursor = changes.latest
        catching_up = changes.more and advanced  # a burst: page on without looking back
        said = False
        for card in changes.cards:
            if sent.get(card.id, ...) != card.updated_at:
                sent[card.id] = card.updated_at
                yield _event("card", _card_data(card, render), cursor)
                said = True
        for case_id in changes.gone:
            if sent.get(case_id, ...) is not None:  # not told yet since it last matched
                sent[case_id] = None
                yield _event("gone", {"id": case_id}, cursor)
                said = True
        if len(sent) > MAX_REMEMBERED:
            sent.clear()
        quiet = 0.0 if said else quiet + POLL_SECONDS
        if quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": keep-alive\n\n"
        if not catching_up:
            await asyncio.sleep(POLL_SECONDS)


def _card_data(card: CaseCard, render: RenderCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "html": render(card),
        "rank": card.priority_rank,
        "due": card.sla.due_at.isoformat(),
    }


def _event(kind: str, data: dict[str, Any], event_id: datetime | None) -> str:
    lines = [f"event: {kind}"]
    if event_id is not None:
        lines.append(f"id: {event_id.isoformat()}")
    lines.append(f"data: {json.dumps(data, ensure_ascii=False)}")
    return "\n".join(lines) + "\n\n"
