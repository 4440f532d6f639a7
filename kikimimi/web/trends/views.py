"""What the trends API shows beyond the indexer's records: themes and posts with their
posts as feed items (an excerpt, an http(s) link only)."""

from __future__ import annotations

from pydantic import BaseModel

from indexer import Period, RisingThemes, TrendPosts
from kikimimi.web.listening import FeedItem
from kikimimi.web.listening.views import feed_item


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
