"""``/trends``: the marketers' brand health (``view_trends``: marketers, leads, admins). The
page holds the controls (period, bucket, brands: its query, so a view can be bookmarked)
and the frames of the figures; ``static/trends.js`` fills them from the ``/api/v1/trends``
routes (and ``/api/v1/spikes``) with charts, so that a slow or failing figure (Elasticsearch
down, emerging themes still being computed) never holds up the page or the others."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kikimimi.web.access import TrendsViewer
from kikimimi.web.rendering import render
from kikimimi.web.trends import TrendsService
from kikimimi.web.trends.page import CUSTOM_LABEL, PRESETS, TrendsChoice, trends_page

router = APIRouter(include_in_schema=False)

BUCKETS = (("hour", "Hour"), ("day", "Day"), ("week", "Week"))
FIGURE_ROUTES = (
    "volume",
    "sentiment",
    "share-of-voice",
    "topics",
    "themes",
    "emerging",
    "sources",
    "authors",
)


@router.get("/trends")
async def trends(
    request: Request,
    principal: TrendsViewer,
    service: TrendsService,
    choice: Annotated[TrendsChoice, Query()],
) -> HTMLResponse:
    view = trends_page(choice, service.brands(), service.clock())
    csv = {
        route: f"/api/v1/trends/{route}?{view.api_query}&format=csv" if view.api_query else ""
        for route in FIGURE_ROUTES
    }
    return render(
        request,
        "trends.html",
        {
            "view": view,
            "presets": [(key, label, bucket) for key, (label, _length, bucket) in PRESETS.items()],
            "custom_label": CUSTOM_LABEL,
            "buckets": BUCKETS,
            "csv": csv,
        },
        principal=principal,
    )
