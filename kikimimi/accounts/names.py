"""The rules for user names, team names and roles: a value that breaks one is refused with
an :class:`~core.AccountValueError` naming the rule and the value."""

from __future__ import annotations

import re

from core import AccountValueError
from kikimimi.accounts.roles import Role

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
NAME_RULE = "1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or a digit"


def check_user_name(value: str) -> str:
    """``value`` when it is a good user name."""
    return _checked("user name", value)


def check_team_name(value: str) -> str:
    """``value`` when it is a good team name (as in rules' ``team`` and ``feed``)."""
    return _checked("team name", value)


def parse_role(value: str) -> Role:
    """The role named ``value``."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise AccountValueError("role", f"must be one of {allowed}", value) from None


def _checked(field: str, value: str) -> str:
    if not _NAME.fullmatch(value):
        raise AccountValueError(field, NAME_RULE, value)
    return value
