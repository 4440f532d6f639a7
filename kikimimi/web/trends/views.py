"""What the trends API shows beyond the indexer's records: themes and posts with their
posts as feed items (an excerpt, an http(s) link only)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from indexer import Bucket, CountPoint, Period, RisingThemes, TrendPosts
from kikimimi.web.listening import FeedItem
from kikimimi.web.listening.views import feed_item

if TYPE_CHECKING:
    from kikimimi.emerging_themes import EmergingThemes


class ThemeView(BaseModel):
    """A rising theme (see :class:`indexer.RisingTheme`) with example posts."""

    term: str
    key: str
    score: float
    posts: int
    previous_posts: int
    examples: list[FeedItem]


class ThemesView(BaseModel):
    """Rising themes, most significant first (see :class:`indexer.RisingThemes`)."""

    period: Period
    sampled: int
    previous_total: int
    themes: list[ThemeView]


class EmergingThemeView(BaseModel):
    """An emerging theme (see :class:`kikimimi.emerging_themes.EmergingTheme`) with example
    posts."""

    terms: list[str]
    size: int
    previous_size: int
    buckets: list[CountPoint]
    examples: list[FeedItem]
    mention_ids: list[str]


class EmergingThemesView(BaseModel):
    """Emerging themes, largest first (see :class:`kikimimi.emerging_themes.EmergingThemes`):
    ``pending`` (``previous_pending``) counts the newest posts left out of this answer because
    they are not embedded yet."""

    start: datetime
    end: datetime
    previous_start: datetime
    bucket: Bucket
    total: int
    sampled: int
    pending: int
    previous_total: int
    previous_sampled: int
    previous_pending: int
    themes: list[EmergingThemeView]

    @property
    def period(self) -> Period:
        return Period(
            start=self.start, end=self.end, previous_start=self.previous_start, bucket=self.bucket
        )


class PostsView(BaseModel):
    """The newest posts behind a figure, and how many there are in all."""

    total: int
    posts: list[FeedItem]


def themes_view(found: RisingThemes) -> ThemesView:
    return ThemesView(
        period=found.period,
        sampled=found.sampled,
        previous_total=found.previous_total,
        themes=[
            ThemeView(
                term=theme.term,
                key=theme.key,
                score=theme.score,
                posts=theme.posts,
                previous_posts=theme.previous_posts,
                examples=[feed_item(post, []) for post in theme.examples],
            )
            for theme in found.themes
        ],
    )


def posts_view(found: TrendPosts) -> PostsView:
    return PostsView(total=found.total, posts=[feed_item(post, []) for post in found.posts])


def emerging_view(found: EmergingThemes) -> EmergingThemesView:
    return EmergingThemesView(
        **found.model_dump(exclude={"themes"}),
        themes=[
            EmergingThemeView(
                terms=theme.terms,
                size=theme.size,
                previous_size=theme.previous_size,
                buckets=theme.buckets,
                examples=[feed_item(post, []) for post in theme.examples],
                mention_ids=theme.mention_ids,
            )
            for theme in found.themes
        ],
    )
