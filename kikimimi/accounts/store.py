"""The accounts store: users, API tokens, browser sessions and sign-in on one SQLite file
(``config.users_path``), safe to share between the threads of a web app and with a
``kikimimi users`` command running at the same time.

Times default to now; tests and callers that already know the time pass ``now``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from argon2 import PasswordHasher

from core import InvalidCredentialsError, LoginThrottledError, transaction
from kikimimi.accounts import names
from kikimimi.accounts import sessions as session_rows
from kikimimi.accounts import throttle as throttling
from kikimimi.accounts import tokens as token_rows
from kikimimi.accounts import users as user_rows
from kikimimi.accounts.database import open_accounts_database
from kikimimi.accounts.passwords import Passwords
from kikimimi.accounts.records import ApiToken, IssuedToken, Session, User
from kikimimi.accounts.roles import Role
from kikimimi.accounts.sessions import SessionPolicy
from kikimimi.accounts.throttle import ThrottlePolicy


class Accounts:
    """Users, their passwords, API tokens and sessions, and sign-in with throttling."""

    def __init__(
        self,
        path: Path,
        *,
        hasher: PasswordHasher | None = None,
        sessions: SessionPolicy | None = None,
        throttle: ThrottlePolicy | None = None,
    ) -> None:
        self.path = path
        self._db = open_accounts_database(path)
        self._lock = threading.Lock()
        self._passwords = Passwords(hasher)
        self._session_policy = sessions or SessionPolicy()
        self._throttle_policy = throttle or ThrottlePolicy()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # users

    def add_user(
        self,
        name: str,
        password: str,
        role: Role | str,
        teams: Iterable[str] = (),
        *,
        now: datetime | None = None,
    ) -> User:
        """A new user; :class:`~core.AccountValueError` for a bad name, role, team or
        password, :class:`~core.UserExistsError` when the name is taken."""
        user = User(
            name=names.check_user_name(name),
            role=names.parse_role(role),
            teams=user_rows.sorted_teams(names.check_team_name(team) for team in teams),
            created_at=_now(now),
        )
        password_hash = self._passwords.hash(password)
        with self._lock, transaction(self._db):
            user_rows.insert_user(self._db, user, password_hash)
        return user

    def user(self, name: str) -> User:
        """The user named ``name``; :class:`~core.UserNotFoundError` when there is none."""
        with self._lock:
            return user_rows.get_user(self._db, name)

    def users(self) -> list[User]:
        """Every user, by name."""
        with self._lock:
            return user_rows.all_users(self._db)

    def remove_user(self, name: str) -> None:
        """Remove the user with their API tokens and sessions."""
        with self._lock, transaction(self._db):
            user_rows.delete_user(self._db, name)
            token_rows.delete_tokens_of(self._db, name)
            session_rows.delete_sessions_of(self._db, name)

    def set_password(self, name: str, password: str) -> None:
        """Give the user a new password; their sessions end (their API tokens stay)."""
        password_hash = self._passwords.hash(password)
        with self._lock, transaction(self._db):
            user_rows.update_password_hash(self._db, name, password_hash)
            session_rows.delete_sessions_of(self._db, name)

    def set_disabled(self, name: str, disabled: bool) -> User:
        """Disable (or enable again) a user: a disabled user cannot sign in, their sessions
        end and their API tokens are refused until they are enabled."""
        with self._lock, transaction(self._db):
            user_rows.update_disabled(self._db, name, disabled)
            if disabled:
                session_rows.delete_sessions_of(self._db, name)
            return user_rows.get_user(self._db, name)

    # API tokens

    def issue_token(self, name: str, *, now: datetime | None = None) -> IssuedToken:
        """A new API token for the user; its secret is in the result only."""
        with self._lock, transaction(self._db):
            user_rows.get_user(self._db, name)
            return token_rows.insert_token(self._db, name, _now(now))

    def revoke_token(self, name: str, token_id: str) -> None:
        """Revoke the user's token ``token_id``; :class:`~core.TokenNotFoundError` when the
        user has no such token."""
        with self._lock, transaction(self._db):
            user_rows.get_user(self._db, name)
            token_rows.delete_token(self._db, name, token_id)

    def tokens(self, name: str) -> list[ApiToken]:
        """The user's API tokens, oldest first, without their secrets."""
        with self._lock:
            user_rows.get_user(self._db, name)
            return token_rows.tokens_of(self._db, name)

    def user_for_token(self, token: str) -> User | None:
        """The user of an API token (a bearer token); ``None`` for an unknown or revoked
        token or a disabled user."""
        with self._lock:
            return token_rows.token_user(self._db, token)

    # browser sessions

    def create_session(self, user: User | str, *, now: datetime | None = None) -> str:
        """A new session of the user (signed in); its token, for an HttpOnly cookie."""
        name = user.name if isinstance(user, User) else user
        with self._lock, transaction(self._db):
            user_rows.get_user(self._db, name)
            return session_rows.insert_session(self._db, name, _now(now))

    def session(self, token: str, now: datetime | None = None) -> Session | None:
        """The live session of a cookie's token, marked used (which keeps it alive);
        ``None`` when it is unknown, ended, expired or its user is disabled."""
        with self._lock:
            return session_rows.use_session(self._db, token, _now(now), self._session_policy)

    def session_user(self, token: str, now: datetime | None = None) -> User | None:
        """The user of a live session, as :meth:`session`."""
        found = self.session(token, now)
        return None if found is None else found.user

    def end_session(self, token: str) -> None:
        """Sign out: the session's token is refused from now on (ending it twice is fine)."""
        with self._lock:
            session_rows.delete_session(self._db, token)

    def remove_expired_sessions(self, now: datetime | None = None) -> int:
        """Remove the sessions that expired; how many there were."""
        with self._lock:
            return session_rows.delete_expired_sessions(self._db, _now(now), self._session_policy)

    # signing in

    def authenticate(
        self, name: str, password: str, now: datetime | None = None, *, client: str | None = None
    ) -> User:
        """The user for a right name and password (the name is trimmed and lowercased).

        :class:`~core.InvalidCredentialsError` for a wrong name or password or a disabled
        user, alike; :class:`~core.LoginThrottledError` after too many failures for the name
        or from ``client`` (the web app's key for the requester, e.g. its address), without
        checking the password. A hash made with older parameters is rehashed.
        """
        moment = _now(now)
        name = name.strip().lower()
        keys = throttling.throttle_keys(name, client, self._throttle_policy)
        with self._lock:
            refused = throttling.seconds_refused(self._db, keys, moment, self._throttle_policy)
            if refused:
                raise LoginThrottledError(refused)
            user = user_rows.find_user(self._db, name)
            stored = user_rows.password_hash(self._db, name)
        if user is None or stored is None:  # argon2 runs outside the lock: sign-ins overlap
            self._passwords.spend_verify_time(password)
            self._refuse(keys, moment)
        if not self._passwords.verify(stored, password) or user.disabled:
            self._refuse(keys, moment)
        with self._lock, transaction(self._db):
            throttling.forget_failures(self._db, keys[0])
        if self._passwords.needs_rehash(stored):
            self._rehash(name, stored, password)
        return user

    def _refuse(self, keys: list[throttling.ThrottleKey], moment: datetime) -> NoReturn:
        with self._lock, transaction(self._db):
            throttling.record_failure(self._db, keys, moment, self._throttle_policy)
        raise InvalidCredentialsError()

    def _rehash(self, name: str, old_hash: str, password: str) -> None:
        new_hash = self._passwords.rehash(password)
        with self._lock, transaction(self._db):
            if user_rows.password_hash(self._db, name) == old_hash:  # unless changed meanwhile
                user_rows.update_password_hash(self._db, name, new_hash)


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now
