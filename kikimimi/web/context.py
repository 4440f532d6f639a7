"""What every request shares: the settings, the accounts store, the clock and the templates,
kept on ``app.state`` by :func:`~kikimimi.web.app.create_app`; routes take them as the
:data:`Web` dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from config import Settings
from kikimimi.accounts import Accounts

Clock = Callable[[], datetime]
"""Now, as an aware datetime (tests pass their own)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebContext:
    """The parts of the running web app."""

    settings: Settings
    accounts: Accounts
    clock: Clock
    templates: Jinja2Templates


def web_context(request: Request) -> WebContext:
    """The app's :class:`WebContext`."""
    context: WebContext = request.app.state.web
    return context


async def _web(request: Request) -> WebContext:
    """:func:`web_context` as a dependency (``async``: FastAPI runs it in the event loop
    instead of handing it to a worker thread)."""
    return web_context(request)


Web = Annotated[WebContext, Depends(_web)]
