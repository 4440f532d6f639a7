"""``/users``, for admins: every user with their API tokens; add and remove users, issue
tokens (a new one is shown on the answer to its request only) and revoke them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from kikimimi.accounts import AccountError, IssuedToken, Role
from kikimimi.web.access import Principal, UserManager
from kikimimi.web.context import Web, WebContext
from kikimimi.web.errors import status_of
from kikimimi.web.rendering import render

router = APIRouter(prefix="/users", include_in_schema=False)

_TEAM_SEPARATORS = re.compile(r"[\s,]+")
_CANNOT_REMOVE_SELF = "You cannot remove yourself: another admin can."


@router.get("")
def users_page(request: Request, web: Web, principal: UserManager) -> HTMLResponse:
    return _page(request, web, principal)


@router.post("")
def add_user(
    request: Request,
    web: Web,
    principal: UserManager,
    *,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=50)],
    password: Annotated[str, Form()],
    teams: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Add a user (the rules of names, roles and passwords are the accounts store's)."""
    try:
        web.accounts.add_user(
            name.strip().lower(), password, role, _team_names(teams), now=web.clock()
        )
    except AccountError as error:
        typed = {"name": name, "role": role, "teams": teams}
        return _page(request, web, principal, str(error), status_of(error), typed=typed)
    return RedirectResponse("/users", status.HTTP_303_SEE_OTHER)


@router.post("/{name}/remove")
def remove_user(request: Request, web: Web, principal: UserManager, name: str) -> Response:
    """Remove a user with their tokens and sessions (not oneself: the last admin could)."""
    if name == principal.user.name:
        return _page(request, web, principal, _CANNOT_REMOVE_SELF, status.HTTP_409_CONFLICT)
    web.accounts.remove_user(name)
    return RedirectResponse("/users", status.HTTP_303_SEE_OTHER)


@router.post("/{name}/tokens")
def issue_token(request: Request, web: Web, principal: UserManager, name: str) -> HTMLResponse:
    """A new API token for ``name``, shown in this answer only (never stored in clear)."""
    issued = web.accounts.issue_token(name, now=web.clock())
    return _page(request, web, principal, issued=issued)


@router.post("/{name}/tokens/{token_id}/revoke")
def revoke_token(web: Web, principal: UserManager, name: str, token_id: str) -> RedirectResponse:
    web.accounts.revoke_token(name, token_id)
    return RedirectResponse("/users", status.HTTP_303_SEE_OTHER)


def _page(
    request: Request,
    web: WebContext,
    principal: Principal,
    error: str | None = None,
    status_code: int = status.HTTP_200_OK,
    *,
    issued: IssuedToken | None = None,
    typed: Mapping[str, str] | None = None,
) -> HTMLResponse:
    users = web.accounts.users()
    return render(
        request,
        "users.html",
        {
            "rows": [(user, web.accounts.tokens(user.name)) for user in users],
            "roles": [role.value for role in Role],
            "error": error,
            "issued": issued,
            "typed": typed or {"name": "", "role": Role.AGENT.value, "teams": ""},
        },
        principal=principal,
        status_code=status_code,
    )


def _team_names(teams: str) -> list[str]:
    """The team names typed, separated by commas or spaces."""
    return [team for team in _TEAM_SEPARATORS.split(teams.strip()) if team]
