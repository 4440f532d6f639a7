"""``GET /api/v1/openapi.json``: the API's OpenAPI document, for signed-in users and API
tokens like every other route (there is no docs UI: it would load assets from a CDN)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kikimimi.web.access import SignedIn

router = APIRouter(prefix="/api/v1")


@router.get("/openapi.json", include_in_schema=False)
async def openapi_document(request: Request, _principal: SignedIn) -> dict[str, Any]:
    document: dict[str, Any] = request.app.openapi()
    return document
