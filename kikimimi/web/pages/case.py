"""``/cases/{id}``: one case with its posts, author card, why it opened, history and the
actions, through :class:`~kikimimi.web.casework.CaseService` like the API. Forms post to
``/cases/{id}/{action}`` and come back to the page (POST-redirect-GET); a refused action
(held by someone else, a bad value) shows the page again with why. ``static/case.js``
keeps the "X is viewing" banner current and fills in canned responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from core import PRIORITIES, Case, CaseValueError, KikimimiError
from kikimimi.web.access import CaseActor, CaseReader, Principal
from kikimimi.web.casework import CannedResponse, CaseDetail, Cases, CaseService
from kikimimi.web.casework.views import event_label
from kikimimi.web.errors import status_of
from kikimimi.web.rendering import render, url_segment

router = APIRouter(include_in_schema=False)

DONE = {
    "claim": "You hold this case now.",
    "assign": "Case assigned.",
    "respond": "Response recorded.",
    "note": "Note added.",
    "tag": "Tag added.",
    "untag": "Tag removed.",
    "priority": "Priority changed.",
    "merge": "Cases merged into this one.",
    "close": "Case closed.",
}

Action = Callable[[CaseService, Principal, str, FormData], Case]


@router.get("/cases/{case_id}")
async def case_page(
    request: Request, cases: Cases, principal: CaseReader, case_id: str, done: str | None = None
) -> HTMLResponse:
    return await _page(request, cases, principal, case_id, message=DONE.get(done or ""))


@router.post("/cases/{case_id}/{action}")
async def act(
    request: Request, cases: Cases, principal: CaseActor, case_id: str, action: str
) -> Response:
    do = ACTIONS.get(action)
    if do is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    form = await request.form()
    try:
        case = await run_in_threadpool(do, cases, principal, case_id, form)
    except KikimimiError as error:
        code = status_of(error)
        if code >= status.HTTP_500_INTERNAL_SERVER_ERROR or code == status.HTTP_404_NOT_FOUND:
            raise
        return await _page(request, cases, principal, case_id, problem=str(error), code=code)
    return RedirectResponse(
        f"/cases/{url_segment(case.id)}?done={action}", status.HTTP_303_SEE_OTHER
    )


async def _page(
    request: Request,
    cases: Cases,
    principal: Principal,
    case_id: str,
    *,
    message: str | None = None,
    problem: str | None = None,
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    detail, canned = await run_in_threadpool(_detail_and_canned, cases, principal, case_id)
    case = detail.case
    me = principal.user.name
    context: dict[str, Any] = {
        "detail": detail,
        "case": case,
        "canned": canned,
        "message": message,
        "problem": problem,
        "held_by_other": case.assigned_to if case.assigned_to not in (None, me) else None,
        "is_open": case.status != "closed",
        "priorities": PRIORITIES,
        "event_label": event_label,
        "history": list(reversed(case.history)),
    }
    return render(request, "case.html", context, principal=principal, status_code=code)


def _detail_and_canned(
    cases: CaseService, principal: Principal, case_id: str
) -> tuple[CaseDetail, list[CannedResponse]]:
    """The case page's reads, in one worker thread: the case and its canned responses."""
    detail = cases.detail(principal, case_id)
    return detail, cases.canned_responses(principal, detail.case.team, detail.case.lang)


def _text(form: FormData, field: str) -> str:
    value = form.get(field)
    return value if isinstance(value, str) else ""


def _optional(form: FormData, field: str) -> str | None:
    value = _text(form, field).strip()
    return value or None


def _ticked(form: FormData, field: str) -> bool:
    return _text(form, field) in ("on", "true", "1")


def _csat(form: FormData) -> int | None:
    value = _optional(form, "csat")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError as bad:
        raise CaseValueError("csat", "a score from 1 to 5", value) from bad


def _claim(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    return cases.claim(principal, case_id, take_over=_ticked(form, "take_over"))


def _assign(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    user, team = _optional(form, "user"), _optional(form, "team")
    if user is None and team is None:
        raise CaseValueError("assign", "name a user or a team")
    return cases.assign(principal, case_id, user=user, team=team)


def _respond(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    take_over = _ticked(form, "take_over")
    return cases.respond(principal, case_id, _text(form, "text"), take_over=take_over)


def _note(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    return cases.note(principal, case_id, _text(form, "text"))


def _tag(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    return cases.tag(principal, case_id, _text(form, "tag"))


def _untag(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    return cases.untag(principal, case_id, _text(form, "tag"))


def _priority(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    return cases.set_priority(principal, case_id, _text(form, "priority"))


def _merge(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    """This page's case takes the other case (``other``) in."""
    other = _optional(form, "other")
    if other is None:
        raise CaseValueError("other", "the id of another case of this author")
    return cases.merge(principal, other, case_id)


def _close(cases: CaseService, principal: Principal, case_id: str, form: FormData) -> Case:
    resolution = _optional(form, "resolution")
    return cases.close(principal, case_id, resolution=resolution, csat=_csat(form))


ACTIONS: dict[str, Action] = {
    "claim": _claim,
    "assign": _assign,
    "respond": _respond,
    "note": _note,
    "tag": _tag,
    "untag": _untag,
    "priority": _priority,
    "merge": _merge,
    "close": _close,
}
