"""What the ``/trends`` page asks about: the view chosen in its query (a preset period or
custom days, the bucket size, the brands) made into the one exact period that every figure
of the page asks the ``/api/v1/trends`` routes about. The query is the view's state, so a
view can be bookmarked and shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from core import fold
from indexer import BUCKET_LENGTH, MAX_BRANDS, Bucket, TrendBrand, period_problem

Preset = Literal["24h", "7d", "30d", "90d", "custom"]
PRESETS: dict[Preset, tuple[str, timedelta, Bucket]] = {
    "24h": ("Last 24 hours", timedelta(hours=24), "hour"),
    "7d": ("Last 7 days", timedelta(days=7), "day"),
    "30d": ("Last 30 days", timedelta(days=30), "day"),
    "90d": ("Last 90 days", timedelta(days=90), "week"),
}
"""Each preset's label, length and default bucket size."""
CUSTOM_LABEL = "Custom days"
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
BrandName = Annotated[str, Field(max_length=200)]


class TrendsChoice(BaseModel):
    """The page's query. A preset period ends at the next full hour (UTC) and lasts its
    length; ``custom`` runs from the start of day ``start`` to the end of day ``end`` (UTC,
    both included). Without ``bucket``, the preset's (custom: hours up to two days, weeks
    beyond 120, days between)."""

    period: Preset = "7d"
    start: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    end: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    bucket: Bucket | None = None
    brand: list[BrandName] = Field([], max_length=50)


@dataclass(frozen=True)
class BrandOption:
    """A configured brand as a checkbox of the page."""

    name: str
    role: str
    checked: bool


@dataclass(frozen=True)
class TrendsPage:
    """The view: its exact period [start, end) against [previous_start, start), the brands
    to choose from, the query string of its figures' API requests (empty while ``problem``
    says why nothing can be asked), and the days the custom fields show."""

    choice: TrendsChoice
    bucket: Bucket
    start: datetime
    end: datetime
    previous_start: datetime
    brands: list[BrandOption]
    problem: str | None
    api_query: str
    first_day: date
    last_day: date


def trends_page(choice: TrendsChoice, configured: list[TrendBrand], now: datetime) -> TrendsPage:
    """The view ``choice`` asks for, with the ``configured`` brands, at ``now``."""
    start, end, default_bucket = _period(choice, now)
    bucket = choice.bucket or default_bucket
    brands, brand_problem = _brand_options(choice.brand, configured)
    problem = period_problem(start, end, bucket) or brand_problem
    chosen = [("brand", option.name) for option in brands if option.checked]
    query = [("start", start.isoformat()), ("end", end.isoformat()), ("bucket", bucket), *chosen]
    return TrendsPage(
        choice=choice,
        bucket=bucket,
        start=start,
        end=end,
        previous_start=start - (end - start),
        brands=brands,
        problem=problem,
        api_query="" if problem else urlencode(query),
        first_day=start.date(),
        last_day=max(start, end - timedelta(microseconds=1)).date(),
    )


def _period(choice: TrendsChoice, now: datetime) -> tuple[datetime, datetime, Bucket]:
    if choice.period != "custom":
        _label, length, bucket = PRESETS[choice.period]
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        end = hour if hour == now else hour + BUCKET_LENGTH["hour"]
        return end - length, end, bucket
    today = now.astimezone(UTC).date()
    last = choice.end or today
    first = choice.start or last - timedelta(days=6)
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    length = end - start
    if length <= timedelta(days=2):
        return start, end, "hour"
    return start, end, "day" if length <= timedelta(days=120) else "week"


def _brand_options(
    asked: list[str], configured: list[TrendBrand]
) -> tuple[list[BrandOption], str | None]:
    """The checkboxes (by default every configured brand, up to :data:`MAX_BRANDS`) and
    what is wrong with the brands asked for."""
    if not configured:
        return [], "no brand is configured: add brands and competitors to the configuration"
    wanted = {fold(name) for name in asked}
    options = [
        BrandOption(
            name=brand.name,
            role=brand.role,
            checked=fold(brand.name) in wanted if asked else index < MAX_BRANDS,
        )
        for index, brand in enumerate(configured)
    ]
    if wanted - {fold(brand.name) for brand in configured}:
        return options, "a brand asked for is not one of the configured brands"
    checked = sum(option.checked for option in options)
    if checked > MAX_BRANDS:
        return options, f"choose at most {MAX_BRANDS} brands at once"
    return options, None
