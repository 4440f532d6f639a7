"""The app's two cookies and their flags: the session cookie (``kikimimi_session``: HttpOnly,
SameSite=Lax, Path=/, Secure when the request came over https) and the sign-in form's CSRF
cookie (``kikimimi_login``: the same, SameSite=Strict, Path=/login)."""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response

SESSION_COOKIE = "kikimimi_session"
LOGIN_COOKIE = "kikimimi_login"
_LOGIN_PATH = "/login"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """Give the browser its session (a cookie that lasts until the browser closes; the
    server ends the session itself after ``web.session_idle_hours`` without use, or
    ``web.session_max_days`` after sign-in)."""
    _set(response, request, SESSION_COOKIE, token, path="/", same_site="lax")


def clear_session_cookie(response: Response, request: Request) -> None:
    _clear(response, request, SESSION_COOKIE, path="/", same_site="lax")


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    """The sign-in form's CSRF token, repeated in the form (a double-submit cookie)."""
    _set(response, request, LOGIN_COOKIE, token, path=_LOGIN_PATH, same_site="strict")


def clear_login_cookie(response: Response, request: Request) -> None:
    _clear(response, request, LOGIN_COOKIE, path=_LOGIN_PATH, same_site="strict")


def _set(
    response: Response,
    request: Request,
    name: str,
    value: str,
    *,
    path: str,
    same_site: Literal["lax", "strict"],
) -> None:
    response.set_cookie(
        name,
        value,
        path=path,
        httponly=True,
        samesite=same_site,
        secure=request.url.scheme == "https",
    )


def _clear(
    response: Response,
    request: Request,
    name: str,
    *,
    path: str,
    same_site: Literal["lax", "strict"],
) -> None:
    response.delete_cookie(
        name,
        path=path,
        httponly=True,
        samesite=same_site,
        secure=request.url.scheme == "https",
    )
