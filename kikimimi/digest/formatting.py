"""How the digest writes its numbers, changes and dates, the same in every rendering."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from indexer import Change
from kikimimi.digest.records import Digest

__all__ = [
    "NA",
    "SPIKES_SHOWN",
    "change_text",
    "day_label",
    "digest_title",
    "local_moment",
    "percent",
    "period_label",
    "points",
    "signed",
]

NA = "n/a"
SPIKES_SHOWN = 8
"""Spike alerts listed at most (the others are counted)."""


def percent(share: float | None) -> str:
    """``0.6`` → ``"60.0%"``."""
    return NA if share is None else f"{share * 100:.1f}%"


def signed(value: float | None) -> str:
    """``0.25`` → ``"+0.25"``."""
    return NA if value is None else f"{value:+.2f}"


def points(difference: float | None) -> str:
    """A change of share in percentage points: ``0.1`` → ``"+10.0 pp"``."""
    return NA if difference is None else f"{difference * 100:+.1f} pp"


def change_text(change: Change) -> str:
    """``"+50%"`` against the previous period; ``"new"`` when there was nothing before."""
    if change.ratio is None:
        return "new" if change.current else "±0%"
    return f"{change.ratio * 100:+.0f}%"


def period_label(start: date, end: date) -> str:
    """The days ``[start, end)`` for people: ``"2–8 Nov 2026"``, ``"28 Oct – 3 Nov 2026"``."""
    last = end - timedelta(days=1)
    if last <= start:
        return f"{start.day} {start:%b %Y}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}–{last.day} {last:%b %Y}"
    if start.year == last.year:
        return f"{start.day} {start:%b} – {last.day} {last:%b %Y}"
    return f"{start.day} {start:%b %Y} – {last.day} {last:%b %Y}"


def day_label(day: date) -> str:
    """``"Mon 2"``."""
    return f"{day:%a} {day.day}"


def local_moment(at: datetime, zone: str) -> str:
    """``"Tue 3 Nov 14:00"`` in ``zone``."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def digest_title(digest: Digest) -> str:
    """``"Brand health, 2–8 Nov 2026: marketing"``."""
    span = period_label(digest.start.date(), digest.end.date())
    return f"Brand health, {span}: {digest.audience}"
