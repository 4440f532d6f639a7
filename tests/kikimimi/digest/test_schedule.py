"""When digests are sent and which days they cover: weekday, local time and time zone, across
changes of clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config import DigestSettings
from kikimimi.digest import DigestPeriod, DigestSchedule

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def schedule(**fields: Any) -> DigestSchedule:
    return DigestSchedule(DigestSettings(name="weekly", channels=["mail"], **fields))


def test_defaults_send_on_monday_at_nine_utc_for_the_seven_days_before() -> None:
    weekly = schedule()
    now = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)  # a Wednesday

    fire = weekly.next_fire(now)
    period = weekly.period_of(fire)

    assert fire == datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    assert (period.start, period.end) == (
        datetime(2026, 11, 9, tzinfo=UTC),
        datetime(2026, 11, 16, tzinfo=UTC),
    )
    assert period.days == [date(2026, 11, 9) + timedelta(days=n) for n in range(7)]
    assert period.key == "2026-11-09..2026-11-16"


def test_local_time_in_the_configured_time_zone() -> None:
    weekly = schedule(weekday="monday", time="09:00", timezone="Asia/Tokyo")

    fire = weekly.next_fire(datetime(2026, 11, 15, 23, 59, tzinfo=UTC))  # Mon 08:59 in Tokyo

    assert fire == datetime(2026, 11, 16, 9, 0, tzinfo=TOKYO)
    assert fire.astimezone(UTC) == datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
    period = weekly.period_of(fire)
    assert period.start == datetime(2026, 11, 9, 0, 0, tzinfo=TOKYO)
    assert period.end.astimezone(UTC) == datetime(2026, 11, 15, 15, 0, tzinfo=UTC)


def test_next_is_strictly_after_and_latest_at_or_before() -> None:
    weekly = schedule(weekday="friday", time="17:30")
    fire = datetime(2026, 11, 13, 17, 30, tzinfo=UTC)

    assert weekly.next_fire(fire - timedelta(seconds=1)) == fire
    assert weekly.next_fire(fire) == fire + timedelta(days=7)
    assert weekly.latest_fire(fire) == fire
    assert weekly.latest_fire(fire - timedelta(seconds=1)) == fire - timedelta(days=7)
    assert weekly.latest_fire(fire + timedelta(days=6)) == fire


def test_a_time_in_the_spring_forward_gap_moves_forward() -> None:
    weekly = schedule(weekday="sunday", time="02:30", timezone="America/New_York")

    fire = weekly.next_fire(datetime(2026, 3, 7, tzinfo=UTC))  # clocks go 02:00 -> 03:00

    assert fire.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert weekly.next_fire(fire).astimezone(UTC) == datetime(2026, 3, 15, 6, 30, tzinfo=UTC)


def test_a_time_that_happens_twice_fires_once_at_its_first_occurrence() -> None:
    weekly = schedule(weekday="sunday", time="01:30", timezone="America/New_York")

    fire = weekly.next_fire(datetime(2026, 10, 31, tzinfo=UTC))  # clocks go 02:00 -> 01:00

    assert fire.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert weekly.next_fire(fire).astimezone(UTC) == datetime(2026, 11, 8, 6, 30, tzinfo=UTC)
    assert weekly.latest_fire(fire + timedelta(hours=1)) == fire  # not again at 01:30 EST


def test_a_period_across_a_change_of_clocks_is_still_seven_local_days() -> None:
    weekly = schedule(weekday="monday", time="09:00", timezone="America/New_York")

    spring = weekly.period_ending(date(2026, 3, 9))
    autumn = weekly.period_ending(date(2026, 11, 2))

    def hours(period: DigestPeriod) -> float:
        return (period.end.astimezone(UTC) - period.start.astimezone(UTC)) / timedelta(hours=1)

    assert (hours(spring), hours(autumn)) == (7 * 24 - 1, 7 * 24 + 1)
    for period in (spring, autumn):
        assert period.start.astimezone(NEW_YORK).hour == 0
        assert period.end.astimezone(NEW_YORK).hour == 0
        assert len(period.days) == 7


def test_the_period_length_is_configurable() -> None:
    monthly = schedule(weekday="monday", period_days=28)

    period = monthly.period_ending(date(2026, 11, 30))

    assert period.start == datetime(2026, 11, 2, tzinfo=UTC)
    assert len(period.days) == 28
