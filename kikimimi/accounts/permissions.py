"""The checks the web app makes on every request: what a user's role reaches under one
permission (the table is :data:`kikimimi.accounts.roles.PERMISSIONS`)."""

from __future__ import annotations

from dataclasses import dataclass

from kikimimi.accounts.records import User
from kikimimi.accounts.roles import PERMISSIONS, Permission, Reach

__all__ = ["TeamScope", "can", "can_on_team", "team_scope"]


@dataclass(frozen=True)
class TeamScope:
    """The teams whose things a user may see or touch under one permission: what a list
    (the inbox, the feeds) filters on."""

    all_teams: bool
    teams: frozenset[str]

    def includes(self, team: str | None) -> bool:
        """Whether something of ``team`` (``None``: of no team) is in scope."""
        return self.all_teams or (team is not None and team in self.teams)


_NOTHING = TeamScope(all_teams=False, teams=frozenset())


def team_scope(user: User, permission: Permission) -> TeamScope:
    """The teams ``user`` reaches with ``permission`` (none when refused)."""
    reach = None if user.disabled else PERMISSIONS[permission].get(user.role)
    if reach is Reach.ALL:
        return TeamScope(all_teams=True, teams=frozenset())
    if reach is Reach.TEAMS:
        return TeamScope(all_teams=False, teams=frozenset(user.teams))
    return _NOTHING


def can(user: User, permission: Permission) -> bool:
    """Whether ``user``'s role holds ``permission`` at all: the check before a page or an
    endpoint does anything (then :func:`can_on_team` for the thing it touches)."""
    return not user.disabled and user.role in PERMISSIONS[permission]


def can_on_team(user: User, permission: Permission, team: str | None) -> bool:
    """Whether ``user`` may use ``permission`` on something of ``team`` (``None``: of no
    team, which only an ``all`` reach covers): a case's ``team``, a feed's name."""
    return team_scope(user, permission).includes(team)
