"""What a trends question is about: a period, the one before it, a bucket size and brands.

The previous period is the one of the same length just before: for [start, end) it is
[start - (end - start), start). Buckets start at the period's start (an hour, a day or a
week from it), so a period that starts at local midnight has local days (of 24 hours: the
days of a week with a clock change are an hour off local midnight after it).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

Bucket = Literal["hour", "day", "week"]
BrandRole = Literal["own", "competitor"]
BUCKET_LENGTH: dict[Bucket, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
MAX_PERIOD = timedelta(days=366)
DEFAULT_PERIOD = timedelta(days=7)
"""The period asked about when only its end is given (the trends page's first view)."""
MAX_BUCKETS = 400
"""Buckets in one series at most (hour buckets: 16 days), so that every brand's series fit
in Elasticsearch's limit on the buckets of one search."""
MAX_BRANDS = 10


def period_problem(start: datetime, end: datetime, bucket: Bucket) -> str | None:
    """Why [start, end) in ``bucket`` buckets cannot be asked for, or ``None``."""
    if end <= start:
        return "the period must end after it starts"
    if end - start > MAX_PERIOD:
        return f"the period may be {MAX_PERIOD.days} days long at most"
    if math.ceil((end - start) / BUCKET_LENGTH[bucket]) > MAX_BUCKETS:
        return f"at most {MAX_BUCKETS} {bucket} buckets: choose a longer bucket or a shorter period"
    return None


class TrendBrand(BaseModel):
    """A brand as configured: ours or a competitor's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    role: BrandRole


class TrendScope(BaseModel):
    """The period [start, end), its bucket size and the brands a trends question is about
    (validated by :func:`period_problem`; 1 to :data:`MAX_BRANDS` distinct brands)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: AwareDatetime
    end: AwareDatetime
    bucket: Bucket = "day"
    brands: tuple[TrendBrand, ...] = Field(min_length=1, max_length=MAX_BRANDS)

    @field_validator("start", "end")
    @classmethod
    def _in_utc(cls, moment: datetime) -> datetime:
        """Held in UTC: Python subtracts two times of one time zone by the wall clock, so a
        period across a daylight-saving change would be an hour off."""
        return moment.astimezone(UTC)

    @model_validator(mode="after")
    def _answerable(self) -> TrendScope:
        problem = period_problem(self.start, self.end, self.bucket)
        if problem:
            raise ValueError(problem)
        if len({brand.name for brand in self.brands}) != len(self.brands):
            raise ValueError("each brand may be named once")
        return self

    @property
    def previous_start(self) -> datetime:
        """Where the previous period (of the same length, just before) starts."""
        return self.start - (self.end - self.start)

    def query(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Posts about the brands published in [start, end), deleted ones left out."""
        names = [brand.name for brand in self.brands]
        return {
            "bool": {
                "filter": [{"terms": {"brands.brand": names}}, published_between(start, end)],
                "must_not": [{"term": {"deleted": True}}],
            }
        }

    def brand_buckets(self) -> dict[str, Any]:
        """A ``filters`` aggregation with one bucket per brand, named by it (a brand
        without posts still has its bucket)."""
        return {
            "filters": {
                "filters": {b.name: {"term": {"brands.brand": b.name}} for b in self.brands}
            }
        }

    def both_periods(self) -> dict[str, Any]:
        """Posts about the brands in the previous period and this one."""
        return self.query(self.previous_start, self.end)

    def histogram(self, start: datetime) -> dict[str, Any]:
        """A ``date_histogram`` of ``published_at`` whose buckets start at ``start`` (this
        period's or the previous one's), empty buckets included, for the period's length.

        Elasticsearch shifts ``extended_bounds`` by the ``offset`` too, so the upper bound is
        given less the offset (else a period not starting on the interval gets one bucket
        past its end)."""
        length = BUCKET_LENGTH[self.bucket]
        offset = (start - datetime.fromtimestamp(0, UTC)) % length
        last = start + (self.end - self.start) - offset
        return {
            "date_histogram": {
                "field": "published_at",
                "fixed_interval": f"{int(length.total_seconds())}s",
                "offset": f"{int(offset.total_seconds())}s",
                "min_doc_count": 0,
                "extended_bounds": {
                    "min": _millis(start),
                    "max": _millis(last) - 1,
                },
            }
        }


def published_between(start: datetime, end: datetime) -> dict[str, Any]:
    return {"range": {"published_at": {"gte": start.isoformat(), "lt": end.isoformat()}}}


def _millis(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)
