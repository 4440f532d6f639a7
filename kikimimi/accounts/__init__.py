"""Accounts of the web app: users with roles and teams, argon2 passwords, API tokens,
browser sessions with CSRF secrets, sign-in with throttling, and the permission matrix the
web app checks on every request (``docs/web.md``).

Everything is kept in one SQLite file in the state directory (``config.users_path``);
:class:`Accounts` is the store, the other names are its records, policies and checks::

    accounts = Accounts(users_path(settings))
    user = accounts.authenticate(name, password, client=address)
    token = accounts.create_session(user)            # the cookie's value
    session = accounts.session(token)                # on each request; None: sign in again
    if not can_on_team(session.user, Permission.ACT_ON_CASES, case.team): ...

Errors are the ``core.AccountError`` branch of the one exception tree.
"""

from core import (
    AccountError,
    AccountValueError,
    InvalidCredentialsError,
    LoginThrottledError,
    TokenNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from kikimimi.accounts.names import NAME_RULE, check_team_name, check_user_name, parse_role
from kikimimi.accounts.passwords import MIN_PASSWORD_LENGTH
from kikimimi.accounts.permissions import TeamScope, can, can_on_team, team_scope
from kikimimi.accounts.records import ApiToken, IssuedToken, Session, User
from kikimimi.accounts.roles import PERMISSIONS, Permission, Reach, Role
from kikimimi.accounts.sessions import SessionPolicy, csrf_matches, csrf_token
from kikimimi.accounts.store import Accounts
from kikimimi.accounts.throttle import ThrottlePolicy

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "NAME_RULE",
    "PERMISSIONS",
    "AccountError",
    "AccountValueError",
    "Accounts",
    "ApiToken",
    "InvalidCredentialsError",
    "IssuedToken",
    "LoginThrottledError",
    "Permission",
    "Reach",
    "Role",
    "Session",
    "SessionPolicy",
    "TeamScope",
    "ThrottlePolicy",
    "TokenNotFoundError",
    "User",
    "UserExistsError",
    "UserNotFoundError",
    "can",
    "can_on_team",
    "check_team_name",
    "check_user_name",
    "csrf_matches",
    "csrf_token",
    "parse_role",
    "team_scope",
]
