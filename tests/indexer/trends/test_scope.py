"""What a trends question may ask: periods, buckets and brands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
