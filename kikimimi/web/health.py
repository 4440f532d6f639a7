"""``GET /healthz`` (and ``HEAD``): the one route answered without signing in, for load
balancers and monitoring; it says only that the process serves."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
