"""Settings of the weekly brand-health digests: one entry per audience, each with its channels,
brands, schedule and period.

Every field is documented in ``docs/configuration.md`` (section *Digests*). Which channels
and brands exist is checked with the other references (:mod:`config.references`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DIGEST_CHANNEL_TYPES",
    "MAX_DIGEST_BRANDS",
    "WEEKDAYS",
    "DigestSettings",
    "Weekday",
]

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
DIGEST_CHANNEL_TYPES = ("email", "slack", "webhook")
"""Channel types that can carry a digest (ticketing channels would open a ticket per week)."""
MAX_DIGEST_BRANDS = 10
"""Brands one digest compares at most (as many as one trends question may name)."""
_CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


class DigestSettings(BaseModel):
    """One audience's digest: where it goes, which brands it covers, when it is sent (local
    ``weekday`` and ``time`` in ``timezone``) and how many days it looks back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    channels: Annotated[list[str], Field(min_length=1)]
    brands: list[Annotated[str, Field(min_length=1)]] = []
    weekday: Weekday = "monday"
    time: str = "09:00"
    timezone: Annotated[str, Field(min_length=1)] = "UTC"
    period_days: Annotated[int, Field(ge=1, le=92)] = 7
    catch_up_hours: Annotated[float, Field(ge=0, le=168)] = 24.0

    @field_validator("time", mode="before")
    @classmethod
    def _is_a_clock_time(cls, value: object) -> object:
        if isinstance(value, int):  # YAML 1.1 reads an unquoted 17:30 as 1050 (base 60)
            raise ValueError('write the time in quotes, e.g. "09:00"')
        if isinstance(value, str) and not _CLOCK_TIME.fullmatch(value):
            raise ValueError('must be a 24-hour clock time "HH:MM", e.g. "09:00"')
        return value

    @field_validator("timezone")
    @classmethod
    def _is_a_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a folder: OSError
            raise ValueError("not an IANA time zone such as UTC or Asia/Tokyo") from None
        return value

    @property
    def local_time(self) -> dt.time:
        """``time`` as a clock time."""
        return dt.time.fromisoformat(self.time)

    @property
    def zone(self) -> ZoneInfo:
        """``timezone`` as a time zone."""
        return ZoneInfo(self.timezone)

    @property
    def weekday_number(self) -> int:
        """``weekday`` as Python numbers it: Monday 0 to Sunday 6."""
        return WEEKDAYS.index(self.weekday)
