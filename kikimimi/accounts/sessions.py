"""Browser sessions as server-side records: the cookie carries a random token, the file only
its hash. A session ends after ``idle`` without use or ``absolute`` after sign-in, whichever
comes first; each has a CSRF secret of its own for the forms of its pages. Each function
runs on a connection the caller holds (inside a transaction when it writes)."""

from __future__ import annotations

import hmac
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from kikimimi.accounts.database import from_epoch
from kikimimi.accounts.hashed_secrets import new_id, new_secret, secret_hash
from kikimimi.accounts.records import Session
from kikimimi.accounts.users import USER_COLUMNS, user_from_row

_TOUCH_EVERY = timedelta(minutes=1)  # a busy session writes its last use once a minute
_SELECT_SESSION = (
    "SELECT sessions.id, sessions.csrf_secret, sessions.created_at, sessions.last_seen_at, "  # noqa: S608
    f"{USER_COLUMNS} FROM sessions JOIN users ON users.name = sessions.user_name "
    "WHERE sessions.secret_hash = ?"
)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts."""

    idle: timedelta = timedelta(hours=12)
    absolute: timedelta = timedelta(days=7)


def insert_session(db: sqlite3.Connection, user_name: str, now: datetime) -> str:
    """A new session of ``user_name``; its token, for the cookie (shown this once)."""
    token = new_secret()
    db.execute(
        "INSERT INTO sessions (secret_hash, id, user_name, csrf_secret, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (secret_hash(token), new_id(), user_name, new_secret(), now.timestamp(), now.timestamp()),
    )
    return token


def use_session(
    db: sqlite3.Connection, token: str, now: datetime, policy: SessionPolicy
) -> Session | None:
    """The live session of ``token`` as of ``now``, marked used; ``None`` for an unknown,
    expired (then removed) or disabled user's session."""
    key = secret_hash(token)
    row = db.execute(_SELECT_SESSION, (key,)).fetchone()
    if row is None:
        return None
    session_id, csrf_secret, created_at, last_seen_at = row[:4]
    created, last_seen = from_epoch(created_at), from_epoch(last_seen_at)
    if now >= _expiry(created, last_seen, policy):
        db.execute("DELETE FROM sessions WHERE secret_hash = ?", (key,))
        return None
    user = user_from_row(row[4:])
    if user.disabled:
        return None
    if now - last_seen >= _TOUCH_EVERY:
        db.execute(
            "UPDATE sessions SET last_seen_at = ? WHERE secret_hash = ?", (now.timestamp(), key)
        )
        last_seen = now
    return Session(
        id=session_id,
        user=user,
        created_at=created,
        last_seen_at=last_seen,
        expires_at=_expiry(created, last_seen, policy),
        csrf_secret=csrf_secret,
    )


def delete_session(db: sqlite3.Connection, token: str) -> None:
    db.execute("DELETE FROM sessions WHERE secret_hash = ?", (secret_hash(token),))


def delete_sessions_of(db: sqlite3.Connection, user_name: str) -> None:
    db.execute("DELETE FROM sessions WHERE user_name = ?", (user_name,))


def delete_expired_sessions(db: sqlite3.Connection, now: datetime, policy: SessionPolicy) -> int:
    """Remove the sessions expired as of ``now``; how many there were."""
    return db.execute(
        "DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?",
        ((now - policy.idle).timestamp(), (now - policy.absolute).timestamp()),
    ).rowcount


def csrf_token(session: Session) -> str:
    """The CSRF token of ``session``'s forms and state-changing requests (the same for the
    whole session)."""
    return session.csrf_secret


def csrf_matches(session: Session, candidate: str) -> bool:
    """Whether a request's CSRF token is ``session``'s (compared in constant time)."""
    return hmac.compare_digest(
        session.csrf_secret.encode(), candidate.encode("utf-8", "surrogatepass")
    )


def _expiry(created: datetime, last_seen: datetime, policy: SessionPolicy) -> datetime:
    return min(last_seen + policy.idle, created + policy.absolute)
