"""``GET /api/v1/me``: who the request is signed in as, and what they may do."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from kikimimi.accounts import Permission, Reach, Role, can, team_scope
from kikimimi.web.access import SignedIn

router = APIRouter(prefix="/api/v1", tags=["me"])


class Me(BaseModel):
    """The signed-in user: name, role, teams, and each permission they hold with its reach
    (``teams``: their teams' things only; ``all``: every team's)."""

    name: str
    role: Role
    teams: list[str]
    permissions: dict[Permission, Reach]


@router.get("/me")
async def me(principal: SignedIn) -> Me:
    user = principal.user
    return Me(
        name=user.name,
        role=user.role,
        teams=list(user.teams),
        permissions={
            permission: Reach.ALL if team_scope(user, permission).all_teams else Reach.TEAMS
            for permission in Permission
            if can(user, permission)
        },
    )
