"""The query parameters of the ``/api/v1/trends`` routes, validated before anything runs (a
bad value is 422 naming the field)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from config import MIN_EMBEDDING_CACHE_SIZE
from core import SentimentLabel
from indexer import (
    MAX_LISTED,
    MAX_POSTS,
    MAX_THEMES,
    MAX_TOPICS,
    POSTS,
    THEMES,
    TOPICS,
    UNTOPICKED_LIMIT,
    Bucket,
    period_problem,
)

MAX_TERM = 200
MAX_EMERGING_POSTS = MIN_EMBEDDING_CACHE_SIZE // 2
"""Posts grouped into emerging themes at most: both periods' fit in the embedding cache."""


class TrendParams(BaseModel):
    """A period, its buckets and brands. A time without a zone is UTC; without ``end`` the
    period ends now, without ``start`` it lasts 7 days."""

    start: datetime | None = Field(None, description="Start of the period (inclusive).")
    end: datetime | None = Field(None, description="End of the period (exclusive); default now.")
    bucket: Bucket = Field("day", description="Bucket size of the series.")
    brand: list[str] = Field(
        [], description="Configured brands to compare (repeatable); default all of them."
    )

    @field_validator("start", "end")
    @classmethod
    def _utc_unless_said(cls, moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment

    @model_validator(mode="after")
    def _answerable(self) -> TrendParams:
        if self.start is not None and self.end is not None:
            problem = period_problem(self.start, self.end, self.bucket)
            if problem:
                raise ValueError(problem)
        return self


class SeriesParams(TrendParams):
    """A trend's parameters and the answer's format: JSON, or CSV to download."""

    format: Literal["json", "csv"] = Field("json", description="`csv`: a CSV download.")


class TopicParams(SeriesParams):
    topics: int = Field(TOPICS, ge=1, le=MAX_TOPICS, description="Topics per brand.")


class ThemeParams(SeriesParams):
    size: int = Field(THEMES, ge=1, le=MAX_THEMES, description="Rising themes to list.")


class ListParams(SeriesParams):
    size: int = Field(10, ge=1, le=MAX_LISTED, description="Sources or authors to list.")


class EmergingParams(SeriesParams):
    limit: int = Field(
        UNTOPICKED_LIMIT,
        ge=1,
        le=MAX_EMERGING_POSTS,
        description="The newest negative posts without a topic to group (and as many of the "
        "previous period to compare with).",
    )


class PostParams(TrendParams):
    """The posts behind a figure: the figure's period (a bucket) and brands, and what it
    counted."""

    sentiment: SentimentLabel | None = None
    topic: str | None = Field(None, min_length=1, max_length=MAX_TERM)
    source: str | None = Field(None, min_length=1, max_length=MAX_TERM)
    author: str | None = Field(
        None, min_length=1, max_length=MAX_TERM, description="An author's handle."
    )
    theme: str | None = Field(
        None, min_length=1, max_length=MAX_TERM, description="A rising theme's `key`."
    )
    size: int = Field(POSTS, ge=1, le=MAX_POSTS)
