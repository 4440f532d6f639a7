"""The main job's sweep of expired browser sessions: every :data:`SESSION_SWEEP_SECONDS`
(the first when the job starts), the web app's sessions that have expired
(``web.session_idle_hours`` without use, or ``web.session_max_days`` after sign-in) are
removed from the users file. An expired session is refused anyway; the sweep removes those
nobody comes back with. Without a users file (no web app set up) there is nothing to do.
A failure (the file locked past its busy timeout, a full disk) is one warning; the next
interval tries again.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from config import Settings, users_path
from kikimimi import wiring
from kikimimi.accounts import AccountError

__all__ = ["SESSION_SWEEP_SECONDS", "SessionSweeps"]

logger = logging.getLogger(__name__)

SESSION_SWEEP_SECONDS = 3600.0


class SessionSweeps:
    """Removes expired browser sessions when the interval has passed, on ``clock``'s time."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], datetime],
        every_seconds: float = SESSION_SWEEP_SECONDS,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.every = timedelta(seconds=every_seconds)
        self._next: datetime | None = None

    def run_when_due(self) -> int | None:
        """Sweep if due: how many sessions it removed; None when no sweep ran (not due, or
        it failed)."""
        now = self.clock()
        if self._next is not None and now < self._next:
            return None
        self._next = now + self.every
        if not users_path(self.settings).exists():
            return 0
        try:
            with wiring.accounts(self.settings) as accounts:
                removed = accounts.remove_expired_sessions(now)
        except (AccountError, sqlite3.Error) as exc:
            seconds = self.every.total_seconds()
            logger.warning(
                "removing expired browser sessions failed: %s; next try in %g s", exc, seconds
            )
            return None
        if removed:
            logger.info("removed %d expired browser session(s)", removed)
        return removed
