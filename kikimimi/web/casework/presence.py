"""Who is viewing which case: "X is viewing" on the case page.

Kept in memory, per web process: each case page records its viewer when it is served and
again every few seconds while it stays open (``POST /api/v1/cases/{id}/presence``); a
viewer not seen for :data:`PRESENCE_TTL` is gone. Behind several processes (workers, hosts)
each sees only the viewers it served.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

PRESENCE_TTL = timedelta(seconds=30)


class Presence:
    """Viewers of each case, each until :data:`PRESENCE_TTL` after they were last seen."""

    def __init__(self, ttl: timedelta = PRESENCE_TTL) -> None:
        self.ttl = ttl
        self._seen: dict[str, dict[str, datetime]] = {}
        self._lock = threading.Lock()

    def seen(self, case_id: str, user: str, now: datetime) -> list[str]:
        """Record that ``user`` views the case now; the *other* users viewing it, sorted."""
        with self._lock:
            viewers = self._fresh(case_id, now)
            viewers[user] = now
            self._seen[case_id] = viewers
            return sorted(name for name in viewers if name != user)

    def viewers(self, case_id: str, now: datetime) -> list[str]:
        """Everyone viewing the case now, sorted."""
        with self._lock:
            return sorted(self._fresh(case_id, now))

    def _fresh(self, case_id: str, now: datetime) -> dict[str, datetime]:
        viewers = {
            name: at for name, at in self._seen.get(case_id, {}).items() if now - at < self.ttl
        }
        if viewers:
            self._seen[case_id] = viewers
        else:
            self._seen.pop(case_id, None)
        return viewers
