"""``/``: each user's first page (the inbox; a marketer's feeds)."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import RedirectResponse

from kikimimi.web.access import SignedIn
from kikimimi.web.rendering import home_path

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(principal: SignedIn) -> RedirectResponse:
    return RedirectResponse(home_path(principal.user), status.HTTP_303_SEE_OTHER)
