"""``/inbox``: the open cases of the user's teams, most urgent first, filtered and paged,
kept live by ``static/inbox.js`` (the ``/api/v1/cases/events`` stream); bulk actions post
to ``/inbox/bulk``. Everything goes through :class:`~kikimimi.web.casework.CaseService`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from core import PRIORITIES, KikimimiError
from kikimimi.accounts import Permission, team_scope
from kikimimi.web.access import CaseActor, CaseReader, Principal
from kikimimi.web.casework import Cases, CaseService, InboxFilters
from kikimimi.web.rendering import render

router = APIRouter(include_in_schema=False)

BULK_ACTIONS = ("assign_me", "close")
MAX_BULK = 100
LANGUAGES = ("en", "ja")
STATUSES = ("open", "assigned", "responded", "closed")


@router.get("/inbox")
async def inbox(
    request: Request,
    *,
    cases: Cases,
    principal: CaseReader,
    filters: Annotated[InboxFilters, Query()],
    done: str | None = None,
    n: int = 0,
    failed: int = 0,
) -> HTMLResponse:
    since = cases.clock()
    problem = None
    try:
        page = await run_in_threadpool(cases.inbox, principal, filters)
    except KikimimiError as error:  # Elasticsearch down: the page, saying so
        page, problem = None, str(error)
    query = _filter_query(request)
    return render(
        request,
        "inbox.html",
        {
            "page": page,
            "problem": problem,
            "filters": filters,
            "since": since.isoformat(),
            "query": query,
            "next_page": _next_page(query, page.next_cursor) if page else None,
            "first_page": f"/inbox?{query}" if filters.after else None,
            "teams": principal.user.teams,
            "all_teams": team_scope(principal.user, Permission.READ_CASES).all_teams,
            "options": _options(cases, principal),
            "statuses": STATUSES,
            "message": _bulk_message(done, n, failed),
        },
        principal=principal,
    )


@router.post("/inbox/bulk")
async def bulk(request: Request, cases: Cases, principal: CaseActor) -> RedirectResponse:
    """Assign the selected cases to me, or close them as not actionable; back to the
    inbox with how many were done."""
    form = await request.form()
    action = form.get("action")
    ids = [value for value in form.getlist("ids") if isinstance(value, str)][:MAX_BULK]
    back = form.get("filters")
    done = failed = 0
    if action in BULK_ACTIONS:
        for case_id in ids:
            try:
                await run_in_threadpool(_bulk_one, cases, principal, str(action), case_id)
                done += 1
            except KikimimiError:
                failed += 1
    pairs = parse_qsl(back if isinstance(back, str) else "")
    pairs = [(k, v) for k, v in pairs if k not in ("done", "n", "failed", "after")]
    pairs += [("done", str(action)), ("n", str(done)), ("failed", str(failed))]
    return RedirectResponse(f"/inbox?{urlencode(pairs)}", status.HTTP_303_SEE_OTHER)


def _bulk_one(cases: CaseService, principal: Principal, action: str, case_id: str) -> None:
    if action == "assign_me":
        cases.claim(principal, case_id)
    else:
        cases.close_not_actionable(principal, case_id)


def _filter_query(request: Request) -> str:
    """The page's filters as a query string (without paging and messages)."""
    skip = {"after", "done", "n", "failed"}
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in skip])


def _next_page(query: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    joiner = "&" if query else ""
    return f"/inbox?{query}{joiner}{urlencode({'after': cursor})}"


def _options(cases: CaseService, principal: Principal) -> dict[str, Any]:
    settings = cases.settings
    scope = team_scope(principal.user, Permission.READ_CASES)
    rule_teams = {rule.team for rule in settings.rules if rule.team}
    teams = sorted(rule_teams if scope.all_teams else scope.teams)
    return {
        "teams": teams,
        "brands": sorted(brand.name for brand in settings.brands),
        "priorities": PRIORITIES,
        "sources": sorted({source.name for source in settings.sources}),
        "languages": LANGUAGES,
    }


def _bulk_message(done: str | None, count: int, failed: int) -> str | None:
    if done not in BULK_ACTIONS:
        return None
    what = "assigned to you" if done == "assign_me" else "closed as not actionable"
    said = f"{count} case{'s' * (count != 1)} {what}."
    if failed:
        said += f" {failed} could not be (held by someone else, closed, or not found)."
    return said
