"""CSRF protection.

A signed-in browser's state-changing request (anything but GET, HEAD and OPTIONS) must
carry its session's CSRF token, in the ``X-CSRF-Token`` header (``app.js`` sets it on fetch
requests from the page's ``<meta name="csrf-token">``) or in the ``csrf_token`` field of a
form. Requests with an API token need none: a browser never adds that header by itself.

The sign-in form has no session yet: its token is a random value kept in a cookie and
repeated in the form (double submit), so another site cannot sign a browser in.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request, status

from kikimimi.accounts import Session, csrf_matches

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_REFUSED = "missing or wrong CSRF token: reload the page and try again"


async def check_csrf(request: Request, session: Session) -> None:
    """Refuse (403) a state-changing request of ``session`` without its CSRF token."""
    if request.method in SAFE_METHODS:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        submitted = await _form_token(request)
    if submitted is None or not csrf_matches(session, submitted):
        raise HTTPException(status.HTTP_403_FORBIDDEN, CSRF_REFUSED)


def new_login_token() -> str:
    """A fresh token for the sign-in form and its cookie."""
    return secrets.token_urlsafe(32)


def login_token_matches(cookie: str | None, submitted: str | None) -> bool:
    """Whether the sign-in form came back with the token of its cookie."""
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode("utf-8", "surrogatepass"))


async def _form_token(request: Request) -> str | None:
    """The ``csrf_token`` field of a form body (parsed once: the route reuses it)."""
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None
