"""Who is asking, and may they: the one dependency layer pages and API routes share.

:func:`authenticated` finds the user of a request, from an API token (``Authorization:
Bearer kkm_...``) or a browser session (the ``kikimimi_session`` cookie, with the CSRF check
on state-changing requests); without one it raises 401, which pages turn into a redirect
to ``/login`` (see :mod:`kikimimi.web.errors`). Behind a single-sign-on proxy, a session
counts only while the proxy's user header names its user (another user signs in afresh).
:func:`require` adds a permission check with :func:`~kikimimi.accounts.can`; the aliases
below are what routes declare::

    @router.get("/inbox")
    def inbox(principal: CaseReader) -> ...:                     # read_cases, or 403
        ...
        ensure_on_team(principal, Permission.READ_CASES, case.team)  # else 404
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from kikimimi.accounts import Permission, Session, User, can, can_on_team, csrf_token
from kikimimi.web.context import Web
from kikimimi.web.cookies import SESSION_COOKIE
from kikimimi.web.csrf import check_csrf
from kikimimi.web.proxies import proxy_user

_SIGN_IN_FIRST = "sign in or send an API token"
_BEARER = {"WWW-Authenticate": "Bearer"}

_bearer = HTTPBearer(
    scheme_name="bearer",
    description="An API token: `kikimimi users token NAME`, or the admin's Users page.",
    auto_error=False,
)
_session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="session",
    description="A browser session (sign in at /login); a state-changing request also "
    "needs the session's CSRF token in the X-CSRF-Token header.",
    auto_error=False,
)


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, and their browser session (``None`` with an API token)."""

    user: User
    session: Session | None

    @property
    def csrf_token(self) -> str:
        """The token the session's forms carry (empty with an API token)."""
        return "" if self.session is None else csrf_token(self.session)


async def authenticated(
    request: Request,
    web: Web,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    session_token: Annotated[str | None, Security(_session_cookie)],
) -> Principal:
    """The signed-in user of the request, or 401. An ``Authorization`` header must hold a
    valid bearer token (the session cookie is then not looked at)."""
    if "authorization" in request.headers:
        if bearer is None:
            raise _unauthorized("the Authorization header must be 'Bearer <API token>'")
        user = await run_in_threadpool(web.accounts.user_for_token, bearer.credentials)
        if user is None:
            raise _unauthorized("unknown or revoked API token")
        return Principal(user=user, session=None)
    if session_token:
        session = await run_in_threadpool(web.accounts.session, session_token, web.clock())
        proxied = proxy_user(request, web.settings.web)
        if session is not None and proxied in (None, session.user.name):
            await check_csrf(request, session)
            return Principal(user=session.user, session=session)
    raise _unauthorized(_SIGN_IN_FIRST)


SignedIn = Annotated[Principal, Depends(authenticated)]
"""Any signed-in user."""


_DOING = {
    Permission.READ_CASES: "read cases",
    Permission.ACT_ON_CASES: "act on cases",
    Permission.EDIT_CANNED_RESPONSES: "edit canned responses",
    Permission.VIEW_DASHBOARD: "view the dashboard",
    Permission.READ_FEEDS: "read feeds",
    Permission.SEARCH_MENTIONS: "search mentions",
    Permission.VIEW_TRENDS: "view trends",
    Permission.MANAGE_USERS: "manage users",
}


@cache
def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the signed-in user when their role holds ``permission``, else 403."""

    async def permitted(principal: SignedIn) -> Principal:
        if not can(principal.user, permission):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"your role ({principal.user.role}) may not {_DOING[permission]}",
            )
        return principal

    return permitted


def ensure_on_team(principal: Principal, permission: Permission, team: str | None) -> None:
    """404 unless ``principal`` may use ``permission`` on something of ``team`` (a case's
    team, a feed's name): another team's things look as if they did not exist."""
    if not can_on_team(principal.user, permission, team):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")


CaseReader = Annotated[Principal, Depends(require(Permission.READ_CASES))]
CaseActor = Annotated[Principal, Depends(require(Permission.ACT_ON_CASES))]
CannedResponseEditor = Annotated[Principal, Depends(require(Permission.EDIT_CANNED_RESPONSES))]
DashboardViewer = Annotated[Principal, Depends(require(Permission.VIEW_DASHBOARD))]
FeedReader = Annotated[Principal, Depends(require(Permission.READ_FEEDS))]
MentionSearcher = Annotated[Principal, Depends(require(Permission.SEARCH_MENTIONS))]
TrendsViewer = Annotated[Principal, Depends(require(Permission.VIEW_TRENDS))]
UserManager = Annotated[Principal, Depends(require(Permission.MANAGE_USERS))]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers=_BEARER)
