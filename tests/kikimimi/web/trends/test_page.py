"""The ``/trends`` page's view (:mod:`kikimimi.web.trends.page`): presets end at the next
full hour, custom days run from midnight to midnight (UTC, the last day included), the
bucket follows the period unless chosen, brands default to all the configured ones, and
what cannot be asked for is said instead of asked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs

import pytest

from indexer import TrendBrand
from kikimimi.web.trends.page import TrendsChoice, trends_page

NOW = datetime(2026, 11, 20, 15, 20, tzinfo=UTC)
BRANDS = [
    TrendBrand(name="Hoshi Mobile", role="own"),
    TrendBrand(name="Nami Telecom", role="competitor"),
    TrendBrand(name="Kaze Wireless", role="competitor"),
]


def query(choice: TrendsChoice) -> dict[str, list[str]]:
    return parse_qs(trends_page(choice, BRANDS, NOW).api_query)


@pytest.mark.parametrize(
    ("period", "start", "bucket"),
    [
        ("24h", "2026-11-19T16:00:00+00:00", "hour"),
        ("7d", "2026-11-13T16:00:00+00:00", "day"),
        ("30d", "2026-10-21T16:00:00+00:00", "day"),
        ("90d", "2026-08-22T16:00:00+00:00", "week"),
    ],
)
def test_presets_end_at_the_next_full_hour(period: str, start: str, bucket: str) -> None:
    asked = query(TrendsChoice.model_validate({"period": period}))

    assert asked["start"] == [start]
    assert asked["end"] == ["2026-11-20T16:00:00+00:00"]
    assert asked["bucket"] == [bucket]
    assert asked["brand"] == ["Hoshi Mobile", "Nami Telecom", "Kaze Wireless"]


def test_a_preset_asked_on_the_hour_ends_then() -> None:
    on_the_hour = NOW.replace(minute=0)

    view = trends_page(TrendsChoice(period="24h"), BRANDS, on_the_hour)

    assert (view.start, view.end) == (on_the_hour.replace(day=19), on_the_hour)


def test_custom_days_include_the_last_day() -> None:
    choice = TrendsChoice(period="custom", start=date(2026, 11, 8), end=date(2026, 11, 14))

    view = trends_page(choice, BRANDS, NOW)

    assert view.start == datetime(2026, 11, 8, tzinfo=UTC)
    assert view.end == datetime(2026, 11, 15, tzinfo=UTC)
    assert view.previous_start == datetime(2026, 11, 1, tzinfo=UTC)
    assert (view.first_day, view.last_day) == (date(2026, 11, 8), date(2026, 11, 14))
    assert view.bucket == "day"


@pytest.mark.parametrize(
    ("start", "end", "bucket"),
    [
        (date(2026, 11, 19), date(2026, 11, 20), "hour"),
        (date(2026, 1, 1), date(2026, 4, 30), "day"),
        (date(2026, 1, 1), date(2026, 6, 30), "week"),
    ],
)
def test_custom_days_pick_a_bucket_for_their_length(start: date, end: date, bucket: str) -> None:
    choice = TrendsChoice(period="custom", start=start, end=end)

    assert trends_page(choice, BRANDS, NOW).bucket == bucket


def test_custom_days_default_to_the_last_seven() -> None:
    view = trends_page(TrendsChoice(period="custom"), BRANDS, NOW)

    assert (view.first_day, view.last_day) == (date(2026, 11, 14), date(2026, 11, 20))


def test_brands_are_chosen_by_name_whatever_the_case() -> None:
    choice = TrendsChoice(brand=["nami telecom", "ＨＯＳＨＩ Mobile"])

    view = trends_page(choice, BRANDS, NOW)

    assert [(b.name, b.checked) for b in view.brands] == [
        ("Hoshi Mobile", True),
        ("Nami Telecom", True),
        ("Kaze Wireless", False),
    ]
    assert parse_qs(view.api_query)["brand"] == ["Hoshi Mobile", "Nami Telecom"]


@pytest.mark.parametrize(
    ("choice", "brands", "problem"),
    [
        (
            {"period": "90d", "bucket": "hour"},
            BRANDS,
            "at most 400 hour buckets: choose a longer bucket or a shorter period",
        ),
        (
            {"period": "custom", "start": "2026-11-10", "end": "2026-11-08"},
            BRANDS,
            "the period must end after it starts",
        ),
        ({"brand": ["Nobody Mobile"]}, BRANDS, "a brand asked for is not one of the configured"),
        ({}, [], "no brand is configured"),
        (
            {},
            [TrendBrand(name=f"Brand {n}", role="competitor") for n in range(11)],
            None,  # the first ten are chosen
        ),
    ],
)
def test_what_cannot_be_asked_for_is_said(
    choice: dict[str, object], brands: list[TrendBrand], problem: str | None
) -> None:
    view = trends_page(TrendsChoice.model_validate(choice), brands, NOW)

    if problem is None:
        assert view.problem is None
        assert sum(brand.checked for brand in view.brands) == 10
    else:
        assert view.problem is not None and view.problem.startswith(problem)
        assert view.api_query == ""


def test_too_many_brands_chosen_is_said() -> None:
    many = [TrendBrand(name=f"Brand {n}", role="competitor") for n in range(11)]

    view = trends_page(TrendsChoice(brand=[b.name for b in many]), many, NOW)

    assert view.problem == "choose at most 10 brands at once"
