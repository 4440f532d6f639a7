"""``/api/v1/canned-responses``: the teams' ready answers as JSON, through the same service
layer as the canned responses page (:class:`~kikimimi.web.casework.CaseService`), so with
the same authorisation: reading needs ``read_cases`` (an agent reads their teams'),
changing needs ``edit_canned_responses`` (a lead changes their teams', an admin any
team's); else 403, and another team's response is 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from kikimimi.web.access import CannedResponseEditor, CaseReader
from kikimimi.web.casework import CannedResponse, Cases

router = APIRouter(prefix="/api/v1/canned-responses", tags=["canned responses"])

NOT_YOURS: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {"description": "another team's response or team, or none such"},
}
CHANGED: dict[int | str, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: {"description": "an empty or too long field"},
    **NOT_YOURS,
}


class CannedResponseIn(BaseModel):
    """A canned response as it is written: for one team, in one language (``*``: any)."""

    model_config = ConfigDict(extra="forbid")

    team: Annotated[str, Field(description="one of your teams")]
    lang: Annotated[str, Field(description="a language code, or `*` for any language")]
    title: Annotated[str, Field(description="up to 100 characters")]
    text: Annotated[str, Field(description="up to 5,000 characters")]


@router.get("")
async def list_canned_responses(
    cases: Cases,
    principal: CaseReader,
    team: Annotated[str | None, Query(description="One of your teams (default: all).")] = None,
    lang: Annotated[
        str | None, Query(description="Those in this language or in any (`*`).")
    ] = None,
) -> list[CannedResponse]:
    """The canned responses of your teams (every team's for an admin), by team and title."""
    return await run_in_threadpool(cases.canned_responses, principal, team, lang)


@router.post("", status_code=status.HTTP_201_CREATED, responses=CHANGED)
async def add_canned_response(
    cases: Cases, principal: CannedResponseEditor, body: CannedResponseIn
) -> CannedResponse:
    """Add a canned response to one of your teams."""
    return await run_in_threadpool(
        lambda: cases.save_canned_response(
            principal, team=body.team, lang=body.lang, title=body.title, text=body.text
        )
    )


@router.put("/{response_id}", responses=CHANGED)
async def replace_canned_response(
    cases: Cases, principal: CannedResponseEditor, response_id: str, body: CannedResponseIn
) -> CannedResponse:
    """Replace a canned response of one of your teams (it may move to another of them)."""
    return await run_in_threadpool(
        lambda: cases.save_canned_response(
            principal,
            team=body.team,
            lang=body.lang,
            title=body.title,
            text=body.text,
            response_id=response_id,
        )
    )


@router.delete("/{response_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_YOURS)
async def remove_canned_response(
    cases: Cases, principal: CannedResponseEditor, response_id: str
) -> Response:
    """Remove a canned response of one of your teams."""
    await run_in_threadpool(cases.remove_canned_response, principal, response_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
