"""Errors as answers, one clear message each: JSON ``{"error": message}`` for the API (and
``/healthz``), a page elsewhere. Unknown routes, wrong methods and malformed requests get
their 4xx; the project's errors (``core.KikimimiError``) their 4xx or 503; a page request
that is not signed in is sent to ``/login``. Anything else is a bug: it is logged with its
traceback and answered 500 without details."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException

from core import (
    AccountValueError,
    CaseConflictError,
    CaseHeldError,
    CaseMergeError,
    CaseNotFoundError,
    CaseTransitionError,
    CaseValueError,
    InvalidCredentialsError,
    KikimimiError,
    LoginThrottledError,
    TokenNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from kikimimi.web.rendering import render

logger = logging.getLogger("kikimimi.web")

ERROR_STATUS: tuple[tuple[type[KikimimiError], int], ...] = (
    (UserNotFoundError, status.HTTP_404_NOT_FOUND),
    (TokenNotFoundError, status.HTTP_404_NOT_FOUND),
    (CaseNotFoundError, status.HTTP_404_NOT_FOUND),
    (UserExistsError, status.HTTP_409_CONFLICT),
    (CaseTransitionError, status.HTTP_409_CONFLICT),
    (CaseConflictError, status.HTTP_409_CONFLICT),
    (CaseHeldError, status.HTTP_409_CONFLICT),
    (CaseMergeError, status.HTTP_409_CONFLICT),
    (CaseValueError, status.HTTP_400_BAD_REQUEST),
    (AccountValueError, status.HTTP_400_BAD_REQUEST),
    (InvalidCredentialsError, status.HTTP_401_UNAUTHORIZED),
    (LoginThrottledError, status.HTTP_429_TOO_MANY_REQUESTS),
)
"""The status of each of the project's errors a request can cause; any other (Elasticsearch
unavailable, a full disk, ...) is 503: the service cannot do it now."""

_INTERNAL_ERROR = "internal error: it has been logged"
_MAX_PROBLEMS = 5


def status_of(error: KikimimiError) -> int:
    """The HTTP status that answers ``error``."""
    for kind, code in ERROR_STATUS:
        if isinstance(error, kind):
            return code
    return status.HTTP_503_SERVICE_UNAVAILABLE


def wants_json(request: Request) -> bool:
    """Whether the request is the API's (JSON answers) rather than a page's."""
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


def error_response(
    request: Request,
    status_code: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """``message`` as the API's JSON or as an error page."""
    if wants_json(request):
        return JSONResponse({"error": message, **extra}, status_code, headers=headers)
    return render(
        request,
        "error.html",
        {"title": HTTPStatus(status_code).phrase.capitalize(), "message": message},
        status_code=status_code,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error the app can meet, as this module says."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == status.HTTP_401_UNAUTHORIZED and not wants_json(request):
            return RedirectResponse(_login_path(request), status.HTTP_303_SEE_OTHER)
        message = (
            error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        )
        if error.status_code == status.HTTP_404_NOT_FOUND and message == "Not Found":
            message = "not found"
        return error_response(request, error.status_code, message, error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = [_problem(found) for found in error.errors()]
        message = "invalid request: " + "; ".join(
            f"{problem['field']}: {problem['message']}" for problem in problems[:_MAX_PROBLEMS]
        )
        if wants_json(request):
            return error_response(
                request, status.HTTP_422_UNPROCESSABLE_CONTENT, message, problems=problems
            )
        return error_response(request, status.HTTP_400_BAD_REQUEST, message)

    @app.exception_handler(KikimimiError)
    async def project_error(request: Request, error: KikimimiError) -> Response:
        headers = None
        extra = {}
        if isinstance(error, LoginThrottledError):
            headers = {"Retry-After": str(error.retry_after)}
        if isinstance(error, CaseHeldError):
            extra["holder"] = error.holder
        return error_response(request, status_of(error), str(error), headers, **extra)

    @app.exception_handler(Exception)
    async def last_resort(request: Request, error: Exception) -> Response:
        logger.error(
            "unexpected error answering %s %s", request.method, request.url.path, exc_info=error
        )
        if wants_json(request):
            return JSONResponse({"error": _INTERNAL_ERROR}, status.HTTP_500_INTERNAL_SERVER_ERROR)
        return HTMLResponse(_INTERNAL_ERROR_PAGE, status.HTTP_500_INTERNAL_SERVER_ERROR)


_INTERNAL_ERROR_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Internal error</title>'
    '<link rel="stylesheet" href="/static/app.css"><main class="narrow"><h1>Internal error'
    "</h1><p>Something went wrong on our side. It has been logged; please try again.</p>"
    '<p><a href="/">Back to Kikimimi</a></p></main></html>'
)


def _login_path(request: Request) -> str:
    """``/login``, with ``next`` set to the page asked for when it can be asked again."""
    if request.method != "GET":
        return "/login"
    asked = request.url.path
    if request.url.query:
        asked = f"{asked}?{request.url.query}"
    return f"/login?{urlencode({'next': asked})}"


def _problem(found: Mapping[str, Any]) -> dict[str, str]:
    """A validation problem's field and message, never the value sent (it may be a
    password, or huge)."""
    location = [str(part) for part in found.get("loc", ())]
    return {"field": ".".join(location) or "request", "message": str(found.get("msg", ""))}
