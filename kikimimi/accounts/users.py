"""Users in the accounts file: the rows behind :class:`~kikimimi.accounts.User`. Each function
runs on a connection the caller holds (inside a transaction when it writes)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from core import UserExistsError, UserNotFoundError
from kikimimi.accounts.database import from_epoch
from kikimimi.accounts.records import User
from kikimimi.accounts.roles import Role

USER_COLUMNS = "users.name, users.role, users.teams, users.created_at, users.disabled"
"""The columns :func:`user_from_row` reads: a constant, so the queries that include it still
take every value as a ``?`` placeholder."""
_SELECT_USERS = f"SELECT {USER_COLUMNS} FROM users"  # noqa: S608


def user_from_row(row: tuple[str, str, str, float, int]) -> User:
    """The user of a row of :data:`USER_COLUMNS`."""
    name, role, teams, created_at, disabled = row
    return User(name, Role(role), tuple(json.loads(teams)), from_epoch(created_at), bool(disabled))


def sorted_teams(teams: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(teams)))


def insert_user(db: sqlite3.Connection, user: User, password_hash: str) -> None:
    try:
        db.execute(
            "INSERT INTO users (name, role, teams, password_hash, created_at, disabled)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                user.name,
                user.role.value,
                json.dumps(list(user.teams)),
                password_hash,
                user.created_at.timestamp(),
                int(user.disabled),
            ),
        )
    except sqlite3.IntegrityError:
        raise UserExistsError(user.name) from None


def find_user(db: sqlite3.Connection, name: str) -> User | None:
    row = db.execute(f"{_SELECT_USERS} WHERE name = ?", (name,)).fetchone()
    return None if row is None else user_from_row(row)


def get_user(db: sqlite3.Connection, name: str) -> User:
    user = find_user(db, name)
    if user is None:
        raise UserNotFoundError(name)
    return user


def all_users(db: sqlite3.Connection) -> list[User]:
    return [user_from_row(row) for row in db.execute(f"{_SELECT_USERS} ORDER BY name")]


def password_hash(db: sqlite3.Connection, name: str) -> str | None:
    row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    return None if row is None else str(row[0])


def update_password_hash(db: sqlite3.Connection, name: str, new_hash: str) -> None:
    _changed(
        db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (new_hash, name)), name
    )


def update_disabled(db: sqlite3.Connection, name: str, disabled: bool) -> None:
    _changed(
        db.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name)), name
    )


def delete_user(db: sqlite3.Connection, name: str) -> None:
    _changed(db.execute("DELETE FROM users WHERE name = ?", (name,)), name)


def _changed(cursor: sqlite3.Cursor, name: str) -> None:
    if cursor.rowcount == 0:
        raise UserNotFoundError(name)
