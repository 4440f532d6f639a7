"""Trends for marketers in the web app: the ``/api/v1/trends`` routes' service layer
(:class:`Trends`, on :mod:`indexer.trends`' aggregations), their validated parameters
(:mod:`.params`), the views they add (:mod:`.views`) and their CSV downloads
(:mod:`.csv_export`)."""

from kikimimi.web.trends.dependency import TrendsService, trends
from kikimimi.web.trends.params import (
    ListParams,
    PostParams,
    SeriesParams,
    ThemeParams,
    TopicParams,
    TrendParams,
)
from kikimimi.web.trends.service import Trends
from kikimimi.web.trends.views import PostsView, ThemesView, ThemeView

__all__ = [
    "ListParams",
    "PostParams",
    "PostsView",
    "SeriesParams",
    "ThemeParams",
    "ThemeView",
    "ThemesView",
    "TopicParams",
    "TrendParams",
    "Trends",
    "TrendsService",
    "trends",
]
