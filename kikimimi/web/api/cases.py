"""``/api/v1/cases``: the inbox and case work as JSON, through the same service layer as the
pages (:class:`~kikimimi.web.casework.CaseService`).

Reading needs ``read_cases``, acting ``act_on_cases`` (else 403); another team's case is
404. A case another user holds is 409 with its ``holder`` (claim or respond with
``take_over``). ``GET /api/v1/cases/events`` is the live inbox's event stream.

The routes are ``async`` and hand the service call (blocking: Elasticsearch) to a worker
thread themselves: one thread switch a request, where a plain ``def`` route costs FastAPI
two (the call, then the check of the answer against its model).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from core import Case, Priority
from kikimimi.web.access import CaseActor, CaseReader, Principal
from kikimimi.web.casework import (
    CaseDetail,
    Cases,
    CaseService,
    InboxFilters,
    InboxPage,
    case_events,
)
from kikimimi.web.casework.live import since_of
from kikimimi.web.casework.rendering import card_renderer

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

HELD: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {"description": "no such case, or another team's"},
    status.HTTP_409_CONFLICT: {"description": "held by another user (`holder`), or closed"},
}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClaimIn(_Body):
    take_over: bool = False


class AssignIn(_Body):
    user: str | None = None
    team: str | None = None


class RespondIn(_Body):
    text: str
    take_over: bool = False


class NoteIn(_Body):
    text: str


class TagIn(_Body):
    tag: str


class PriorityIn(_Body):
    priority: Priority


class MergeIn(_Body):
    into: Annotated[str, Field(description="the id of the case to merge this one into")]


class CloseIn(_Body):
    resolution: str | None = None
    csat: Annotated[int | None, Field(ge=1, le=5)] = None


class Viewers(BaseModel):
    """Who else is viewing the case (in this web process), and who holds it."""

    viewers: list[str]
    holder: str | None


@router.get("")
async def list_cases(
    cases: Cases, principal: CaseReader, filters: Annotated[InboxFilters, Query()]
) -> InboxPage:
    """The cases of your teams, most urgent first, filtered; ``after`` is the previous
    page's ``next_cursor``."""
    return await run_in_threadpool(cases.inbox, principal, filters)


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(
    request: Request,
    *,
    cases: Cases,
    principal: CaseReader,
    filters: Annotated[InboxFilters, Query()],
    since: datetime | None = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-Sent Events: ``card`` (``id``, ``html``, ``rank``, ``due``) for each case of
    your teams that changes and matches the filters, ``gone`` (``id``) for one that no
    longer matches, ``problem`` while cases cannot be read."""
    start = since_of(last_event_id, since, cases.clock())
    stream = case_events(
        request,
        service=cases,
        principal=principal,
        filters=filters,
        start=start,
        render=card_renderer(request),
    )
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


@router.get("/{case_id}", responses=HELD)
async def get_case(cases: Cases, principal: CaseReader, case_id: str) -> CaseDetail:
    """The case with its posts in order, the author card and why it opened."""
    return await run_in_threadpool(cases.detail, principal, case_id, viewing=False)


@router.post("/{case_id}/presence", responses=HELD)
async def presence(cases: Cases, principal: CaseReader, case_id: str) -> Viewers:
    """Say you are viewing the case (its page does every few seconds); who else is."""
    return await run_in_threadpool(_viewers, cases, principal, case_id)


def _viewers(cases: CaseService, principal: Principal, case_id: str) -> Viewers:
    viewers = cases.viewing(principal, case_id)
    return Viewers(viewers=viewers, holder=cases.case(principal, case_id).assigned_to)


@router.post("/{case_id}/claim", responses=HELD)
async def claim(
    cases: Cases, principal: CaseActor, case_id: str, body: ClaimIn | None = None
) -> Case:
    """Hold the case; of users claiming at once exactly one wins, the others get 409
    naming the holder."""
    take_over = body is not None and body.take_over
    return await run_in_threadpool(cases.claim, principal, case_id, take_over=take_over)


@router.post("/{case_id}/assign", responses=HELD)
async def assign(cases: Cases, principal: CaseActor, case_id: str, body: AssignIn) -> Case:
    """Hand the case to a user, a team, or both."""
    return await run_in_threadpool(cases.assign, principal, case_id, user=body.user, team=body.team)


@router.post("/{case_id}/respond", responses=HELD)
async def respond(cases: Cases, principal: CaseActor, case_id: str, body: RespondIn) -> Case:
    """Record a response (given on the platform); the first sets the first response time."""
    return await run_in_threadpool(
        cases.respond, principal, case_id, body.text, take_over=body.take_over
    )


@router.post("/{case_id}/note", responses=HELD)
async def note(cases: Cases, principal: CaseActor, case_id: str, body: NoteIn) -> Case:
    """An internal note."""
    return await run_in_threadpool(cases.note, principal, case_id, body.text)


@router.post("/{case_id}/tags", responses=HELD)
async def tag(cases: Cases, principal: CaseActor, case_id: str, body: TagIn) -> Case:
    return await run_in_threadpool(cases.tag, principal, case_id, body.tag)


@router.delete("/{case_id}/tags/{tag}", responses=HELD)
async def untag(cases: Cases, principal: CaseActor, case_id: str, tag: str) -> Case:
    return await run_in_threadpool(cases.untag, principal, case_id, tag)


@router.post("/{case_id}/priority", responses=HELD)
async def set_priority(cases: Cases, principal: CaseActor, case_id: str, body: PriorityIn) -> Case:
    return await run_in_threadpool(cases.set_priority, principal, case_id, body.priority)


@router.post("/{case_id}/merge", responses=HELD)
async def merge(cases: Cases, principal: CaseActor, case_id: str, body: MergeIn) -> Case:
    """Merge this case into another case of the same author about the same brand; answers
    the case merged into."""
    return await run_in_threadpool(cases.merge, principal, case_id, body.into)


@router.post("/{case_id}/close", responses=HELD)
async def close(
    cases: Cases, principal: CaseActor, case_id: str, body: CloseIn | None = None
) -> Case:
    """Close the case, with a resolution and the customer's satisfaction (1-5) if known."""
    found = body or CloseIn()
    return await run_in_threadpool(
        cases.close, principal, case_id, resolution=found.resolution, csat=found.csat
    )
