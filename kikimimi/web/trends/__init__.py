"""Trends for marketers in the web app: the ``/api/v1/trends`` routes' service layer
(:class:`Trends`, on :mod:`indexer.trends`' aggregations), their validated parameters
(:mod:`.params`), the views they add (:mod:`.views`), their CSV downloads
(:mod:`.csv_export`) and the emerging themes' sentence encoder (:mod:`.emerging`)."""

from kikimimi.web.trends.dependency import TrendsService, trends
from kikimimi.web.trends.emerging import LazyThemeEncoder, ThemeEncoderService
from kikimimi.web.trends.params import (
    EmergingParams,
    ListParams,
    PostParams,
    SeriesParams,
    ThemeParams,
    TopicParams,
    TrendParams,
)
from kikimimi.web.trends.service import Trends
from kikimimi.web.trends.views import (
    EmergingThemesView,
    EmergingThemeView,
    PostsView,
    ThemesView,
    ThemeView,
)

__all__ = [
    "EmergingParams",
    "EmergingThemeView",
    "EmergingThemesView",
    "LazyThemeEncoder",
    "ListParams",
    "PostParams",
    "PostsView",
    "SeriesParams",
    "ThemeEncoderService",
    "ThemeParams",
    "ThemeView",
    "ThemesView",
    "TopicParams",
    "TrendParams",
    "Trends",
    "TrendsService",
    "trends",
]
