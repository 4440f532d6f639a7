"""``GET /api/v1/feeds``: the team feeds the user may read, newest first (``read_feeds``;
another team's feed is 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from kikimimi.web.access import FeedReader
from kikimimi.web.listening import FeedPage, ListeningService
from kikimimi.web.listening.service import MAX_PAGE_SIZE

router = APIRouter(prefix="/api/v1", tags=["feeds"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {"description": "a feed that is not one of the user's teams"},
}


@router.get("/feeds", responses=_RESPONSES)
def feeds(
    *,
    principal: FeedReader,
    listening: ListeningService,
    feed: Annotated[str | None, Query(description="One team's feed (default: all yours).")] = None,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[
        str | None, Query(description="The `next_cursor` of the page before.")
    ] = None,
    since: Annotated[
        datetime | None, Query(description="Only posts published at or after this time.")
    ] = None,
) -> FeedPage:
    """The mentions forwarded to the user's team feeds (all feeds for an admin), newest
    first, each with why it is there (the rules that fired)."""
    return listening.feed_page(
        principal, feed=feed, page_size=page_size, cursor=cursor, since=since
    )
