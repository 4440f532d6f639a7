"""Who may do what: the four roles, the permissions the web app checks on every request,
and how far each one reaches.

The matrix is data, one table (:data:`PERMISSIONS`); ``docs/web.md`` shows the same table
and a test keeps the two equal::

    permission              agent   lead    marketer  admin
    read_cases              teams   teams   —         all
    act_on_cases            teams   teams   —         all
    edit_canned_responses   —       teams   —         all
    view_dashboard          —       teams   —         all
    read_feeds              teams   teams   teams     all
    search_mentions         all     all     all       all
    view_trends             —       all     all       all
    manage_users            —       —       —         all

``teams``: only on what belongs to one of the user's teams (a case's ``team``, a feed's
name, a team's canned responses); ``all``: on any team's, and on what belongs to no team.
``—``: refused. A disabled user may do nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Role(StrEnum):
    """What a user is there for."""

    AGENT = "agent"  # works the cases of their teams
    LEAD = "lead"  # works them too, edits canned responses, watches SLAs and KPIs
    MARKETER = "marketer"  # reads feeds, spikes, mentions and trends; never touches a case
    ADMIN = "admin"  # manages users; sees and does everything


class Permission(StrEnum):
    """One kind of thing a request may do."""

    READ_CASES = "read_cases"  # the inbox, a case page
    ACT_ON_CASES = "act_on_cases"  # claim, assign, respond, note, tag, merge, close
    EDIT_CANNED_RESPONSES = "edit_canned_responses"
    VIEW_DASHBOARD = "view_dashboard"  # SLA breaches, cases at risk, KPIs
    READ_FEEDS = "read_feeds"  # team feeds and spike alerts
    SEARCH_MENTIONS = "search_mentions"
    VIEW_TRENDS = "view_trends"  # brand health against competitors, rising themes
    MANAGE_USERS = "manage_users"


class Reach(StrEnum):
    """How far a permission a role holds goes."""

    TEAMS = "teams"  # what belongs to one of the user's teams
    ALL = "all"  # what belongs to any team, or to none


_TEAMS, _ALL = Reach.TEAMS, Reach.ALL

PERMISSIONS: Final[Mapping[Permission, Mapping[Role, Reach]]] = MappingProxyType(
    {
        Permission.READ_CASES: {Role.AGENT: _TEAMS, Role.LEAD: _TEAMS, Role.ADMIN: _ALL},
        Permission.ACT_ON_CASES: {Role.AGENT: _TEAMS, Role.LEAD: _TEAMS, Role.ADMIN: _ALL},
        Permission.EDIT_CANNED_RESPONSES: {Role.LEAD: _TEAMS, Role.ADMIN: _ALL},
        Permission.VIEW_DASHBOARD: {Role.LEAD: _TEAMS, Role.ADMIN: _ALL},
        Permission.READ_FEEDS: {
            Role.AGENT: _TEAMS,
            Role.LEAD: _TEAMS,
            Role.MARKETER: _TEAMS,
            Role.ADMIN: _ALL,
        },
        Permission.SEARCH_MENTIONS: dict.fromkeys(Role, _ALL),
        Permission.VIEW_TRENDS: {Role.LEAD: _ALL, Role.MARKETER: _ALL, Role.ADMIN: _ALL},
        Permission.MANAGE_USERS: {Role.ADMIN: _ALL},
    }
)
"""Each permission's roles and their reach; a role not listed is refused."""
