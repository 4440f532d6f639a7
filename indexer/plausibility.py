"""The window of publication dates the indexer accepts.

A date outside it is a source's or a parser's error (year 9999, year 1), and indexing it
would create a monthly index of its own (``…-mentions-9999.12``): such mentions are
dead-lettered instead. The window runs from :data:`EARLIEST_PUBLISHED` (older than any
source Kikimimi reads) to a day after now (:data:`FUTURE_TOLERANCE`: a clock or time zone
slightly off is not an error).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)


def implausible_date(published_at: datetime, now: datetime) -> str | None:
    """Why ``published_at`` cannot be right at ``now`` (a dead letter's reason), or None."""
    latest = now + FUTURE_TOLERANCE
    if EARLIEST_PUBLISHED <= published_at <= latest:
        return None
    return (
        f"published_at {published_at.isoformat()} is outside the plausible window "
        f"{EARLIEST_PUBLISHED.date().isoformat()} to {latest.isoformat(timespec='seconds')} "
        "(a day after now)"
    )
