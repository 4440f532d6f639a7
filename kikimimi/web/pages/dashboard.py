"""``/dashboard``: for leads (and admins), today's KPIs of their teams as tiles, open cases
by team, and the cases past or near their SLA, each linking to its case page — through
:class:`~kikimimi.web.listening.Listening`, as ``kikimimi report`` computes the KPIs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from core import KikimimiError
from kikimimi.accounts import Permission, team_scope
from kikimimi.web.access import DashboardViewer
from kikimimi.web.listening import Dashboard, ListeningService
from kikimimi.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
async def dashboard(
    request: Request, principal: DashboardViewer, listening: ListeningService
) -> HTMLResponse:
    scope = team_scope(principal.user, Permission.VIEW_DASHBOARD)
    board: Dashboard | None = None
    problem = None
    try:
        board = await run_in_threadpool(listening.dashboard, principal)
    except KikimimiError as error:  # Elasticsearch down: the page, saying so
        problem = str(error)
    return render(
        request,
        "dashboard.html",
        {
            "board": board,
            "problem": problem,
            "all_teams": scope.all_teams,
            "teams": principal.user.teams,
        },
        principal=principal,
    )
