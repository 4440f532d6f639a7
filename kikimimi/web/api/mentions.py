"""``GET /api/v1/mentions?q=...``: full-text search over public mentions, English and
Japanese (``search_mentions``: every role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kikimimi.web.access import MentionSearcher
from kikimimi.web.listening import ListeningService, MentionHits

router = APIRouter(prefix="/api/v1", tags=["mentions"])


@router.get("/mentions")
def mentions(
    principal: MentionSearcher,
    listening: ListeningService,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find.")],
    size: Annotated[int, Query(ge=1, le=100)] = 50,
) -> MentionHits:
    """The newest mentions whose text or title holds every word (a Japanese query is
    matched as a phrase)."""
    return listening.search(principal, q, size)
