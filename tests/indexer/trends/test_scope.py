"""What a trends question may ask: periods, buckets and brands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from indexer import MAX_BUCKETS, TrendBrand, TrendScope, period_problem

START = datetime(2026, 11, 8, tzinfo=UTC)
OWN = TrendBrand(name="Hoshi Mobile", role="own")


@pytest.mark.parametrize(
    ("end", "bucket", "problem"),
    [
        (START, "day", "the period must end after it starts"),
        (START - timedelta(days=1), "day", "the period must end after it starts"),
        (START + timedelta(days=367), "week", "the period may be 366 days long at most"),
        (START + timedelta(days=17), "hour", f"at most {MAX_BUCKETS} hour buckets"),
        (START + timedelta(days=16), "hour", None),
        (START + timedelta(days=366), "day", None),
    ],
)
def test_period_problems(end: datetime, bucket: str, problem: str | None) -> None:
    found = period_problem(START, end, bucket)  # type: ignore[arg-type]
    assert (found is None) if problem is None else (found or "").startswith(problem)


def test_a_scope_refuses_a_bad_period_and_repeated_brands() -> None:
    with pytest.raises(ValidationError, match="end after it starts"):
        TrendScope(start=START, end=START, brands=(OWN,))
    with pytest.raises(ValidationError, match="once"):
        TrendScope(start=START, end=START + timedelta(days=1), brands=(OWN, OWN))
    with pytest.raises(ValidationError):
        TrendScope(start=START, end=START + timedelta(days=1), brands=())
    with pytest.raises(ValidationError):
        TrendScope(start=datetime(2026, 11, 8), end=START + timedelta(days=1), brands=(OWN,))


def test_the_previous_period_has_the_same_length_just_before() -> None:
    scope = TrendScope(start=START, end=START + timedelta(days=3), brands=(OWN,))
    assert scope.previous_start == START - timedelta(days=3)


def test_a_period_in_a_time_zone_with_a_clock_change_is_measured_in_real_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 20, tzinfo=berlin)  # summer time (UTC+2)
    end = datetime(2026, 10, 27, tzinfo=berlin)  # winter time (UTC+1): 7 days and 1 hour

    scope = TrendScope(start=start, end=end, bucket="day", brands=(OWN,))

    assert scope.start == datetime(2026, 10, 19, 22, tzinfo=UTC)
    assert scope.end - scope.start == timedelta(days=7, hours=1)
    assert scope.previous_start == scope.start - timedelta(days=7, hours=1)
    histogram = scope.histogram(scope.start)["date_histogram"]
    assert histogram["offset"] == f"{22 * 3600}s"  # buckets from 22:00 UTC, local midnight
