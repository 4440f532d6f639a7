"""The account records the store hands out: users, API tokens (never their secret) and
browser sessions. None holds a password hash or a token's hash; a secret a record must
carry is left out of its ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kikimimi.accounts.roles import Role


@dataclass(frozen=True)
class User:
    """Someone who may sign in: their role, and the teams whose cases and feeds they work
    (sorted, each once)."""

    name: str
    role: Role
    teams: tuple[str, ...]
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True)
class ApiToken:
    """An API token as it is listed: its id (to revoke it) and when it was issued."""

    id: str
    user_name: str
    created_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: ``secret`` is shown this once and kept only as a hash."""

    token: ApiToken
    secret: str = field(repr=False)


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its user, its times and its CSRF secret. ``id`` names it in
    logs; the cookie's token is not kept (only its hash)."""

    id: str
    user: User
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    csrf_secret: str = field(repr=False)
