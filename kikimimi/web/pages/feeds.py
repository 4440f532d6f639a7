"""``/feeds``: the user's team feeds and the latest spike alerts, newest first, through the
same service as the API (:class:`~kikimimi.web.listening.Listening`). ``static/feeds.js``
keeps it live: it polls ``/feeds/updates`` and adds what it does not show yet."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from core import KikimimiError
from kikimimi.accounts import Permission, team_scope
from kikimimi.web.access import FeedReader, Principal
from kikimimi.web.context import web_context
from kikimimi.web.listening import FeedPage, Listening, ListeningService, SpikeAlert
from kikimimi.web.rendering import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
ITEM_TEMPLATE = "_feed_item.html"
SPIKE_TEMPLATE = "_spike.html"

FeedName = Annotated[str | None, Query(max_length=64)]


@router.get("/feeds")
async def feeds(
    request: Request,
    principal: FeedReader,
    listening: ListeningService,
    feed: FeedName = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    problem = None
    page: FeedPage | None = None
    spikes: list[SpikeAlert] = []
    try:
        page, spikes = await run_in_threadpool(_read, listening, principal, feed, cursor)
    except KikimimiError as error:  # Elasticsearch down: the page, saying so
        problem = str(error)
    scope = team_scope(principal.user, Permission.READ_FEEDS)
    return render(
        request,
        "feeds.html",
        {
            "page": page,
            "spikes": spikes,
            "problem": problem,
            "feed": feed,
            "all_teams": scope.all_teams,
            "teams": principal.user.teams,
            "feed_names": _feed_names(listening, principal),
        },
        principal=principal,
    )


@router.get("/feeds/updates")
def updates(
    request: Request,
    principal: FeedReader,
    listening: ListeningService,
    feed: FeedName = None,
) -> dict[str, Any]:
    """What the live page adds: the newest items and the latest spike alerts, in order, as
    HTML from the page's own partials (the page adds those it does not show yet: a post
    indexed late appears where its time puts it)."""
    page = listening.feed_page(principal, feed=feed, page_size=PAGE_SIZE)
    spikes = listening.spikes(principal)
    templates = web_context(request).templates.env
    item, spike = templates.get_template(ITEM_TEMPLATE), templates.get_template(SPIKE_TEMPLATE)
    return {
        "items": [{"id": i.id, "html": item.render(item=i)} for i in page.items],
        "spikes": [{"id": s.id, "html": spike.render(spike=s)} for s in spikes],
    }


def _read(
    listening: Listening, principal: Principal, feed: str | None, cursor: str | None
) -> tuple[FeedPage, list[SpikeAlert]]:
    page = listening.feed_page(principal, feed=feed, page_size=PAGE_SIZE, cursor=cursor)
    return page, listening.spikes(principal)


def _feed_names(listening: Listening, principal: Principal) -> list[str]:
    """The feeds to choose from: the user's teams, or every configured feed for an admin."""
    scope = team_scope(principal.user, Permission.READ_FEEDS)
    if scope.all_teams:
        return sorted({rule.feed for rule in listening.settings.rules if rule.feed})
    return sorted(scope.teams)
