"""The server-rendered pages, one module each; :data:`router` holds them all."""

from fastapi import APIRouter

from kikimimi.web.pages import (
    canned,
    case,
    dashboard,
    feeds,
    home,
    inbox,
    sign_in,
    trends,
    users,
)

router = APIRouter()
for _module in (sign_in, home, inbox, case, canned, feeds, dashboard, trends, users):
    router.include_router(_module.router)

__all__ = ["router"]
