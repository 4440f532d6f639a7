"""API tokens: issued at random, kept only as a hash, listed without the secret, revoked by
id. Each function runs on a connection the caller holds (inside a transaction when it
writes)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from core import TokenNotFoundError
from kikimimi.accounts.database import from_epoch
from kikimimi.accounts.hashed_secrets import new_id, new_secret, secret_hash
from kikimimi.accounts.records import ApiToken, IssuedToken, User
from kikimimi.accounts.users import USER_COLUMNS, user_from_row

TOKEN_PREFIX = "kkm_"  # noqa: S105 (a prefix, not a secret)
"""Every API token starts so: easy to recognise in a config or a leak scanner."""


def insert_token(db: sqlite3.Connection, user_name: str, now: datetime) -> IssuedToken:
    token = ApiToken(id=new_id(), user_name=user_name, created_at=now)
    secret = new_secret(TOKEN_PREFIX)
    db.execute(
        "INSERT INTO tokens (id, user_name, secret_hash, created_at) VALUES (?, ?, ?, ?)",
        (token.id, user_name, secret_hash(secret), now.timestamp()),
    )
    return IssuedToken(token=token, secret=secret)


def token_user(db: sqlite3.Connection, secret: str) -> User | None:
    """The enabled user holding the token ``secret``."""
    row = db.execute(
        f"SELECT {USER_COLUMNS} FROM tokens JOIN users ON users.name = tokens.user_name"  # noqa: S608
        " WHERE tokens.secret_hash = ? AND NOT users.disabled",
        (secret_hash(secret),),
    ).fetchone()
    return None if row is None else user_from_row(row)


def tokens_of(db: sqlite3.Connection, user_name: str) -> list[ApiToken]:
    """The user's tokens, oldest first."""
    rows = db.execute(
        "SELECT id, created_at FROM tokens WHERE user_name = ? ORDER BY created_at, rowid",
        (user_name,),
    )
    return [ApiToken(id=id_, user_name=user_name, created_at=from_epoch(at)) for id_, at in rows]


def delete_token(db: sqlite3.Connection, user_name: str, token_id: str) -> None:
    deleted = db.execute(
        "DELETE FROM tokens WHERE user_name = ? AND id = ?", (user_name, token_id)
    ).rowcount
    if deleted == 0:
        raise TokenNotFoundError(user_name, token_id)


def delete_tokens_of(db: sqlite3.Connection, user_name: str) -> None:
    db.execute("DELETE FROM tokens WHERE user_name = ?", (user_name,))
