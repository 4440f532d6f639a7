"""``/canned-responses``: each team's ready answers per language. Agents read those of
their teams (and pick them on the case page); leads add, edit and remove their teams'
(``edit_canned_responses``). Through :class:`~kikimimi.web.casework.CaseService`."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core import KikimimiError
from kikimimi.accounts import Permission, can
from kikimimi.web.access import CannedResponseEditor, CaseReader, Principal
from kikimimi.web.casework import Cases
from kikimimi.web.errors import status_of
from kikimimi.web.rendering import render

router = APIRouter(include_in_schema=False)

PATH = "/canned-responses"


@router.get(PATH)
async def canned_responses(
    request: Request, cases: Cases, principal: CaseReader, done: str | None = None
) -> HTMLResponse:
    message = {"saved": "Canned response saved.", "removed": "Canned response removed."}
    return await _page(request, cases, principal, message=message.get(done or ""))


@router.post(PATH)
async def save(request: Request, cases: Cases, principal: CannedResponseEditor) -> Response:
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    try:
        await run_in_threadpool(
            lambda: cases.save_canned_response(
                principal,
                team=field("team"),
                lang=field("lang"),
                title=field("title"),
                text=field("text"),
                response_id=field("id") or None,
            )
        )
    except KikimimiError as error:
        return await _page(request, cases, principal, problem=str(error), code=status_of(error))
    return RedirectResponse(f"{PATH}?done=saved", status.HTTP_303_SEE_OTHER)


@router.post(PATH + "/{response_id}/remove")
async def remove(cases: Cases, principal: CannedResponseEditor, response_id: str) -> Response:
    await run_in_threadpool(cases.remove_canned_response, principal, response_id)
    return RedirectResponse(f"{PATH}?done=removed", status.HTTP_303_SEE_OTHER)


async def _page(
    request: Request,
    cases: Cases,
    principal: Principal,
    *,
    message: str | None = None,
    problem: str | None = None,
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    responses = await run_in_threadpool(cases.canned_responses, principal)
    editor = can(principal.user, Permission.EDIT_CANNED_RESPONSES)
    editable = cases.editable_teams(principal) if editor else []
    return render(
        request,
        "canned.html",
        {
            "responses": responses,
            "editable": editable,
            "message": message,
            "problem": problem,
        },
        principal=principal,
        status_code=code,
    )
