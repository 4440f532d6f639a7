"""When an audience's digest is due and which days it covers, in the audience's time zone.

A digest fires on its ``weekday`` at its local ``time``. It covers the ``period_days`` whole
local days before the day it fires on, ``[midnight - period_days days, midnight)``, and is
compared with the period of the same length just before. Local times become instants the
DST-safe way: a clock time that does not exist that day (inside the spring-forward gap)
moves forward by the gap (02:30 becomes 03:30), one that happens twice (the autumn
fall-back) is its first occurrence; a period across a change of clocks has a day of 23 or
25 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config import DigestSettings

__all__ = ["DigestPeriod", "DigestSchedule", "local_instant"]

WEEK = timedelta(days=7)


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``clock`` in ``zone`` (an aware datetime in ``zone``), DST-safe as above."""
    wall = datetime.combine(day, clock).replace(tzinfo=zone)  # fold 0: the earlier reading
    return wall.astimezone(UTC).astimezone(zone)  # a time in the gap comes out after it


@dataclass(frozen=True)
class DigestPeriod:
    """The local days ``[start, end)`` a digest covers (aware, in the audience's zone: mind
    that Python subtracts two times of one zone as wall-clock readings)."""

    start: datetime
    end: datetime

    @property
    def days(self) -> list[date]:
        """The period's local dates, first to last."""
        first, count = self.start.date(), (self.end.date() - self.start.date()).days
        return [first + timedelta(days=n) for n in range(count)]

    @property
    def key(self) -> str:
        """``first-date..end-date`` (the end excluded): what tells two periods apart."""
        return f"{self.start.date().isoformat()}..{self.end.date().isoformat()}"


class DigestSchedule:
    """An audience's send times and periods."""

    def __init__(self, settings: DigestSettings) -> None:
        self.weekday = settings.weekday_number
        self.clock = settings.local_time
        self.zone = settings.zone
        self.period_days = settings.period_days

    def fire_on(self, day: date) -> datetime:
        """When the digest is sent on ``day`` (which need not be its weekday)."""
        return local_instant(day, self.clock, self.zone)

    def next_fire(self, after: datetime) -> datetime:
        """The first send time strictly after ``after``."""
        after = after.astimezone(UTC)  # compared as instants, not as wall-clock readings
        today = after.astimezone(self.zone).date()
        day = today + timedelta(days=(self.weekday - today.weekday()) % 7)
        fire = self.fire_on(day)
        return fire if fire > after else self.fire_on(day + WEEK)

    def latest_fire(self, at: datetime) -> datetime:
        """The last send time at or before ``at``."""
        at = at.astimezone(UTC)
        today = at.astimezone(self.zone).date()
        day = today - timedelta(days=(today.weekday() - self.weekday) % 7)
        fire = self.fire_on(day)
        return fire if fire <= at else self.fire_on(day - WEEK)

    def period_ending(self, day: date) -> DigestPeriod:
        """The ``period_days`` local days before ``day`` (``day`` itself excluded)."""
        start = day - timedelta(days=self.period_days)
        midnight = time(0, 0)
        return DigestPeriod(
            start=local_instant(start, midnight, self.zone),
            end=local_instant(day, midnight, self.zone),
        )

    def period_of(self, fire: datetime) -> DigestPeriod:
        """The period the digest sent at ``fire`` covers."""
        return self.period_ending(fire.astimezone(self.zone).date())
