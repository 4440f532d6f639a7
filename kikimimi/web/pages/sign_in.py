"""Signing in and out: the login form (``GET``/``POST /login``) and ``POST /logout``.

A successful sign-in creates a server-side session and sets its cookie, then goes to
``next`` (a local path only). A wrong name or password shows the form again (401) with one
message for both; too many failures are refused (429 with ``Retry-After``) before the
password is checked.

Behind a single-sign-on proxy (``web.proxy_user_header``), ``GET /login`` signs the browser
in as the user the proxy names, without a password, when that is an enabled local user (a
new session, replacing another user's); signing out is the proxy's business then.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Cookie, Form, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from core import InvalidCredentialsError, LoginThrottledError, UserNotFoundError
from kikimimi.accounts import User
from kikimimi.web.access import SignedIn
from kikimimi.web.context import Web, WebContext
from kikimimi.web.cookies import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    clear_login_cookie,
    clear_session_cookie,
    set_login_cookie,
    set_session_cookie,
)
from kikimimi.web.csrf import CSRF_FIELD, login_token_matches, new_login_token
from kikimimi.web.proxies import proxy_user
from kikimimi.web.redirects import safe_next
from kikimimi.web.rendering import render

router = APIRouter(include_in_schema=False)

MAX_NAME_LENGTH = 200  # names are at most 64 characters; a little slack for spaces
_FORM_EXPIRED = "The sign-in form expired. Please sign in again."
_WRONG = "Wrong user name or password."
_NO_PROXY_USER = "The single sign-on user {name} has no enabled account here: ask an admin."
MAX_SHOWN_NAME = 64  # the longest user name

NameField = Annotated[str, Form(max_length=MAX_NAME_LENGTH)]
PasswordField = Annotated[str, Form()]  # bounded by the form limits; never echoed
TokenField = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]
NextField = Annotated[str, Form(alias="next", max_length=2000)]


@router.get("/login")
def login_form(
    request: Request,
    web: Web,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "/",
    session_token: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> Response:
    """The login form; a browser already signed in (as the proxy's user, behind a
    single-sign-on proxy) goes straight on to ``next``."""
    session = web.accounts.session(session_token, web.clock()) if session_token else None
    proxied = proxy_user(request, web.settings.web)
    if session is not None and proxied in (None, session.user.name):
        return RedirectResponse(safe_next(next_path), status.HTTP_303_SEE_OTHER)
    if proxied is not None:
        return _proxy_sign_in(request, web, proxied, next_path, session_token)
    return _form(request, next_path)


@router.post("/login")
def sign_in(
    request: Request,
    web: Web,
    *,
    name: NameField,
    password: PasswordField,
    form_token: TokenField = "",
    next_path: NextField = "/",
    login_cookie: Annotated[str | None, Cookie(alias=LOGIN_COOKIE)] = None,
    old_session: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> Response:
    """Check the name and password; on success, a new session (replacing the browser's
    previous one) and its cookie."""
    if not login_token_matches(login_cookie, form_token):
        return _form(
            request,
            next_path,
            name=name,
            error=_FORM_EXPIRED,
            status_code=status.HTTP_403_FORBIDDEN,
        )
    client = request.client.host if request.client else None
    try:
        user = web.accounts.authenticate(name, password, web.clock(), client=client)
    except LoginThrottledError as throttled:
        minutes = math.ceil(throttled.retry_after / 60)
        message = (
            f"Too many failed sign-ins. Try again in {minutes} minute{'' if minutes == 1 else 's'}."
        )
        return _form(
            request,
            next_path,
            name=name,
            error=message,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(throttled.retry_after)},
        )
    except InvalidCredentialsError:
        return _form(
            request, next_path, name=name, error=_WRONG, status_code=status.HTTP_401_UNAUTHORIZED
        )
    if old_session:
        web.accounts.end_session(old_session)
    response = RedirectResponse(safe_next(next_path), status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, request, web.accounts.create_session(user, now=web.clock()))
    clear_login_cookie(response, request)
    return response


def _proxy_sign_in(
    request: Request, web: WebContext, name: str, next_path: str, old_session: str | None
) -> Response:
    """A session of the user the proxy named, or the form saying why there is none."""
    try:
        user: User | None = web.accounts.user(name)
    except UserNotFoundError:
        user = None
    if user is None or user.disabled:
        return _form(
            request,
            next_path,
            error=_NO_PROXY_USER.format(name=name[:MAX_SHOWN_NAME]),  # escaped by the page
            status_code=status.HTTP_403_FORBIDDEN,
        )
    if old_session:
        web.accounts.end_session(old_session)
    response = RedirectResponse(safe_next(next_path), status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, request, web.accounts.create_session(user, now=web.clock()))
    return response


@router.post("/logout")
async def sign_out(request: Request, web: Web, principal: SignedIn) -> Response:
    """End the browser's session (checked for its CSRF token like any change)."""
    session_token = request.cookies.get(SESSION_COOKIE)
    if principal.session is not None and session_token:
        await run_in_threadpool(web.accounts.end_session, session_token)
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    clear_session_cookie(response, request)
    return response


def _form(
    request: Request,
    next_path: str,
    *,
    name: str = "",
    error: str | None = None,
    status_code: int = status.HTTP_200_OK,
    headers: dict[str, str] | None = None,
) -> Response:
    """The login form with a fresh token for it and its cookie."""
    token = new_login_token()
    response = render(
        request,
        "login.html",
        {"name": name, "next": safe_next(next_path), "form_token": token, "error": error},
        status_code=status_code,
        headers=headers,
    )
    set_login_cookie(response, request, token)
    return response
