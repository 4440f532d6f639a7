"""The JSON API under ``/api/v1``, one module per resource; :data:`router` holds them all,
and its OpenAPI document is at ``/api/v1/openapi.json`` (signed in)."""

from fastapi import APIRouter

from kikimimi.web.api import (
    canned_responses,
    cases,
    feeds,
    me,
    mentions,
    openapi_document,
    spikes,
    trends,
)

router = APIRouter()
for _module in (
    me,
    cases,
    canned_responses,
    feeds,
    spikes,
    mentions,
    trends,
    openapi_document,
):
    router.include_router(_module.router)

__all__ = ["router"]
