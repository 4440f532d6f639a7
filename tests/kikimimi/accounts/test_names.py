"""User names, team names and roles: what is accepted, and errors that name the rule."""

from __future__ import annotations

import pytest

from core import AccountError, AccountValueError
from kikimimi.accounts import Role, check_team_name, check_user_name, parse_role


@pytest.mark.parametrize("name", ["ana", "ana.sato", "care-leads", "k2", "a_b", "x" * 64])
def test_good_names_pass_as_they_are(name: str) -> None:
    assert check_user_name(name) == name
    assert check_team_name(name) == name


@pytest.mark.parametrize("name", ["", "Ana", "-ana", "ana sato", "アナ", "a/b", "x" * 65, "a\n"])
def test_bad_names_are_refused_naming_the_rule_and_the_value(name: str) -> None:
    with pytest.raises(AccountValueError) as user_error:
        check_user_name(name)
    with pytest.raises(AccountValueError) as team_error:
        check_team_name(name)
    assert str(user_error.value).startswith("user name: 1 to 64 lowercase letters")
    assert str(team_error.value).startswith("team name: 1 to 64 lowercase letters")
    assert repr(name) in str(team_error.value)
    assert isinstance(user_error.value, AccountError)


def test_roles_are_parsed_from_their_names() -> None:
    assert parse_role("lead") is Role.LEAD
    assert parse_role(Role.ADMIN) is Role.ADMIN


def test_an_unknown_role_names_the_allowed_ones() -> None:
    with pytest.raises(AccountValueError) as error:
        parse_role("boss")
    assert str(error.value) == "role: must be one of agent, lead, marketer, admin (got 'boss')"
