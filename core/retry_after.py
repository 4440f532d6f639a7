"""``Retry-After`` (RFC 9110): the one parser for crawlers and notification channels."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

__all__ = ["retry_after_seconds"]


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait: delay-seconds or an HTTP date (past dates give 0); None if absent/bad."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
