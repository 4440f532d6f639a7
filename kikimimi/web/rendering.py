"""Server-rendered pages: the Jinja2 environment (autoescape on for every template, whatever
its name), the layout's navigation by permission, and :func:`render`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kikimimi.accounts import Permission, User, can
from kikimimi.web.access import Principal
from kikimimi.web.context import web_context

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class NavLink:
    """A page of the main navigation, shown to the roles that hold its permission."""

    label: str
    path: str
    permission: Permission


NAV = (
    NavLink("Inbox", "/inbox", Permission.READ_CASES),
    NavLink("Feeds", "/feeds", Permission.READ_FEEDS),
    NavLink("Dashboard", "/dashboard", Permission.VIEW_DASHBOARD),
    NavLink("Trends", "/trends", Permission.VIEW_TRENDS),
    NavLink("Users", "/users", Permission.MANAGE_USERS),
)


def make_templates() -> Jinja2Templates:
    """The app's templates, every value escaped unless a template marks it safe; each is
    compiled once (they ship with the package: no looking for changes on every page)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        auto_reload=False,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["segment"] = url_segment
    environment.filters["when"] = when
    return Jinja2Templates(env=environment)


def nav_links(user: User) -> list[NavLink]:
    """The pages of the navigation ``user`` may open."""
    return [link for link in NAV if can(user, link.permission)]


def home_path(user: User) -> str:
    """Where ``/`` takes ``user``: the first page they may open (the inbox, for a
    marketer the feeds)."""
    links = nav_links(user)
    return links[0].path if links else "/feeds"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page ``template`` with ``context``; with ``principal``, the layout shows who is
    signed in, their navigation, sign-out, and the CSRF token for forms and fetch."""
    values: dict[str, Any] = {
        "principal": principal,
        "user": None if principal is None else principal.user,
        "csrf_token": "" if principal is None else principal.csrf_token,
        "nav": [] if principal is None else _nav(principal.user, request.url.path),
        **(context or {}),
    }
    return web_context(request).templates.TemplateResponse(
        request, template, values, status_code=status_code, headers=headers
    )


def url_segment(value: str) -> str:
    """``value`` as one segment of a URL path (a ``/`` in it too is encoded)."""
    return quote(value, safe="")


def when(moment: datetime) -> str:
    """A time as the pages show it: ``2026-11-20 09:00 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class _NavItem:
    label: str
    path: str
    current: bool


def _nav(user: User, path: str) -> list[_NavItem]:
    return [
        _NavItem(link.label, link.path, path == link.path or path.startswith(f"{link.path}/"))
        for link in nav_links(user)
    ]
