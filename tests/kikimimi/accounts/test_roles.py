"""The permission matrix, role by role and permission by permission, team scoping, and the
table in docs/web.md that shows it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kikimimi.accounts import PERMISSIONS, Permission, Reach, Role, User, can, can_on_team
from kikimimi.accounts.permissions import team_scope

DOC = Path(__file__).resolve().parents[3] / "docs" / "web.md"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)

# What each role may do, written out once more by hand: None refused, else its reach.
EXPECTED: dict[Role, dict[Permission, Reach | None]] = {
    Role.AGENT: {
        Permission.READ_CASES: Reach.TEAMS,
        Permission.ACT_ON_CASES: Reach.TEAMS,
        Permission.EDIT_CANNED_RESPONSES: None,
        Permission.VIEW_DASHBOARD: None,
        Permission.READ_FEEDS: Reach.TEAMS,
        Permission.SEARCH_MENTIONS: Reach.ALL,
        Permission.VIEW_TRENDS: None,
        Permission.MANAGE_USERS: None,
    },
    Role.LEAD: {
        Permission.READ_CASES: Reach.TEAMS,
        Permission.ACT_ON_CASES: Reach.TEAMS,
        Permission.EDIT_CANNED_RESPONSES: Reach.TEAMS,
        Permission.VIEW_DASHBOARD: Reach.TEAMS,
        Permission.READ_FEEDS: Reach.TEAMS,
        Permission.SEARCH_MENTIONS: Reach.ALL,
        Permission.VIEW_TRENDS: Reach.ALL,
        Permission.MANAGE_USERS: None,
    },
    Role.MARKETER: {
        Permission.READ_CASES: None,
        Permission.ACT_ON_CASES: None,
        Permission.EDIT_CANNED_RESPONSES: None,
        Permission.VIEW_DASHBOARD: None,
        Permission.READ_FEEDS: Reach.TEAMS,
        Permission.SEARCH_MENTIONS: Reach.ALL,
        Permission.VIEW_TRENDS: Reach.ALL,
        Permission.MANAGE_USERS: None,
    },
    Role.ADMIN: dict.fromkeys(Permission, Reach.ALL),
}
CASES = [(role, permission) for role in Role for permission in Permission]


def user(role: Role, teams: tuple[str, ...] = ("care",), disabled: bool = False) -> User:
    return User(name="u", role=role, teams=teams, created_at=CREATED, disabled=disabled)


def test_the_expectations_cover_every_role_and_permission() -> None:
    assert set(EXPECTED) == set(Role)
    assert all(set(row) == set(Permission) for row in EXPECTED.values())


@pytest.mark.parametrize(("role", "permission"), CASES)
def test_each_role_may_use_exactly_its_permissions(role: Role, permission: Permission) -> None:
    assert can(user(role), permission) is (EXPECTED[role][permission] is not None)


@pytest.mark.parametrize(("role", "permission"), CASES)
def test_team_scoping_follows_the_reach(role: Role, permission: Permission) -> None:
    reach = EXPECTED[role][permission]
    member = user(role, teams=("care", "social"))
    assert can_on_team(member, permission, "care") is (reach is not None)
    assert can_on_team(member, permission, "social") is (reach is not None)
    assert can_on_team(member, permission, "billing") is (reach is Reach.ALL)
    assert can_on_team(member, permission, None) is (reach is Reach.ALL)


def test_an_agent_acts_on_their_teams_cases_only() -> None:
    agent = user(Role.AGENT, teams=("care",))
    assert can_on_team(agent, Permission.ACT_ON_CASES, "care")
    assert not can_on_team(agent, Permission.ACT_ON_CASES, "care-leads")
    assert not can_on_team(agent, Permission.EDIT_CANNED_RESPONSES, "care")


def test_a_marketer_reads_their_feeds_but_cannot_touch_cases() -> None:
    marketer = user(Role.MARKETER, teams=("marketing",))
    assert can_on_team(marketer, Permission.READ_FEEDS, "marketing")
    assert not can_on_team(marketer, Permission.READ_FEEDS, "product")
    assert not can(marketer, Permission.READ_CASES)
    assert not can_on_team(marketer, Permission.ACT_ON_CASES, "marketing")


def test_a_user_without_teams_reaches_no_team() -> None:
    lonely = user(Role.LEAD, teams=())
    assert can(lonely, Permission.ACT_ON_CASES)  # the role allows it ...
    assert not can_on_team(lonely, Permission.ACT_ON_CASES, "care")  # ... on no team's case


def test_an_admin_manages_users_and_sees_every_team() -> None:
    admin = user(Role.ADMIN, teams=())
    assert can(admin, Permission.MANAGE_USERS)
    assert can_on_team(admin, Permission.READ_CASES, "anything")
    assert can_on_team(admin, Permission.READ_CASES, None)
    assert team_scope(admin, Permission.READ_CASES).all_teams


@pytest.mark.parametrize("role", list(Role))
def test_a_disabled_user_may_do_nothing(role: Role) -> None:
    disabled = user(role, disabled=True)
    for permission in Permission:
        assert not can(disabled, permission)
        assert not can_on_team(disabled, permission, "care")


def test_the_team_scope_lists_the_teams_to_filter_on() -> None:
    lead = user(Role.LEAD, teams=("care", "care-leads"))
    scope = team_scope(lead, Permission.READ_CASES)
    assert not scope.all_teams
    assert scope.teams == frozenset({"care", "care-leads"})
    refused = team_scope(user(Role.MARKETER), Permission.READ_CASES)
    assert not refused.all_teams and refused.teams == frozenset()


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_docs_show_the_same_matrix() -> None:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| permission |"))
    end = lines.index("", start)
    roles = cells(lines[start])[1:]
    rows = {cells(line)[0].strip("`"): cells(line)[1:] for line in lines[start + 2 : end]}
    assert roles == [role.value for role in Role]
    assert set(rows) == {permission.value for permission in Permission}
    for permission, reaches in PERMISSIONS.items():
        shown = dict(zip(roles, rows[permission.value], strict=True))
        for role in Role:
            reach = reaches.get(role)
            assert shown[role.value] == (reach.value if reach else "—"), (permission, role)
