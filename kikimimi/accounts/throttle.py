"""Throttling of failed sign-ins, per user name and per client (the web app's key for where
a request comes from, e.g. its address).

Past ``failures_per_user`` failures for one name (or ``failures_per_client`` from one
client) within ``window``, sign-ins are refused, without checking the password, until
``first_delay`` after the last failure; each further failure doubles the delay, up to
``longest_delay``. Failures older than ``window`` are forgotten. Each function runs on a
connection the caller holds (inside a transaction when it writes).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

_KEY_LENGTH = 200  # a hostile name or client key is cut, not stored whole


@dataclass(frozen=True)
class ThrottlePolicy:
    """When failed sign-ins start to be refused, and for how long."""

    failures_per_user: int = 5
    failures_per_client: int = 20  # higher: one office's address serves many people
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(minutes=1)
    longest_delay: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class ThrottleKey:
    """What failures are counted against, and how many it may have."""

    key: str
    limit: int


def throttle_keys(name: str, client: str | None, policy: ThrottlePolicy) -> list[ThrottleKey]:
    """The keys a sign-in as ``name`` from ``client`` counts against."""
    keys = [ThrottleKey(f"user:{name}"[:_KEY_LENGTH], policy.failures_per_user)]
    if client is not None:
        keys.append(ThrottleKey(f"client:{client}"[:_KEY_LENGTH], policy.failures_per_client))
    return keys


def seconds_refused(
    db: sqlite3.Connection, keys: list[ThrottleKey], now: datetime, policy: ThrottlePolicy
) -> int:
    """How many more seconds sign-ins against ``keys`` are refused (0: allowed)."""
    longest = 0.0
    since = (now - policy.window).timestamp()
    for key in keys:
        count, last = db.execute(
            "SELECT COUNT(*), MAX(failed_at) FROM login_failures WHERE key = ? AND failed_at > ?",
            (key.key, since),
        ).fetchone()
        if count >= key.limit:
            delay = min(
                policy.first_delay * 2 ** min(count - key.limit, 30), policy.longest_delay
            ).total_seconds()
            longest = max(longest, last + delay - now.timestamp())
    return math.ceil(longest) if longest > 0 else 0


def record_failure(
    db: sqlite3.Connection, keys: list[ThrottleKey], now: datetime, policy: ThrottlePolicy
) -> None:
    """Count a failed sign-in against ``keys``, forgetting failures older than the window."""
    db.execute(
        "DELETE FROM login_failures WHERE failed_at <= ?", ((now - policy.window).timestamp(),)
    )
    db.executemany(
        "INSERT INTO login_failures (key, failed_at) VALUES (?, ?)",
        [(key.key, now.timestamp()) for key in keys],
    )


def forget_failures(db: sqlite3.Connection, key: ThrottleKey) -> None:
    db.execute("DELETE FROM login_failures WHERE key = ?", (key.key,))
