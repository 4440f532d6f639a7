"""``GET /api/v1/spikes``: the latest spike alerts with their "why" (``read_feeds``; a spike
belongs to no team, so every feed reader sees them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kikimimi.web.access import FeedReader
from kikimimi.web.listening import ListeningService, SpikeAlert
from kikimimi.web.listening.service import SPIKES_SHOWN

router = APIRouter(prefix="/api/v1", tags=["spikes"])


@router.get("/spikes")
def spikes(
    principal: FeedReader,
    listening: ListeningService,
    limit: Annotated[int, Query(ge=1, le=100)] = SPIKES_SHOWN,
) -> list[SpikeAlert]:
    """The latest spike alerts the main job raised, newest first."""
    return listening.spikes(principal, limit=limit)
