"""The service layer of the trends API: the period and brands asked for made into a
:class:`indexer.TrendScope` (the configured brands, ours and the competitors'), then the
indexer's aggregations. The route has checked ``view_trends``; trends belong to no team."""

from __future__ import annotations

from typing import TYPE_CHECKING

from elasticsearch import Elasticsearch
from fastapi import HTTPException, status

from config import Settings
from core import IndexNames, fold
from indexer import (
    DEFAULT_PERIOD,
    MAX_BRANDS,
    NetSentiment,
    PostFilters,
    ShareOfVoice,
    TopAuthors,
    TopicsTrend,
    TopSources,
    TrendBrand,
    TrendScope,
    VolumeTrend,
    net_sentiment,
    period_problem,
    rising_themes,
    share_of_voice,
    top_authors,
    top_sources,
    topics_trend,
    trend_posts,
    volume_trend,
)
from kikimimi.web.context import Clock
from kikimimi.web.trends.params import (
    EmergingParams,
    ListParams,
    PostParams,
    ThemeParams,
    TopicParams,
    TrendParams,
)
from kikimimi.web.trends.views import (
    EmergingThemesView,
    PostsView,
    ThemesView,
    emerging_view,
    posts_view,
    themes_view,
)

if TYPE_CHECKING:
    from nlp import CachedThemeEncoder


class Trends:
    """Brand health, topics, rising themes, sources, authors and their posts (thread-safe)."""

    def __init__(
        self, *, settings: Settings, client: Elasticsearch, names: IndexNames, clock: Clock
    ) -> None:
        self.settings = settings
        self.client = client
        self.names = names
        self.clock = clock

    def brands(self) -> list[TrendBrand]:
        """The configured brands: ours, then the competitors'."""
        return [TrendBrand(name=b.name, role="own") for b in self.settings.brands] + [
            TrendBrand(name=b.name, role="competitor") for b in self.settings.competitors
        ]

    def scope(self, params: TrendParams) -> TrendScope:
        """The scope of ``params``: 400 for a period that cannot be asked for once the
        defaults are filled in, for a brand that is not configured, or for too many."""
        end = params.end or self.clock()
        start = params.start or end - DEFAULT_PERIOD
        problem = period_problem(start, end, params.bucket)
        if problem:
            raise _bad_request(f"period: {problem}")
        configured = self.brands()
        if not configured:
            raise _bad_request("brand: no brand is configured (brands, competitors)")
        if params.brand:
            asked = {fold(name) for name in params.brand}
            if asked - {fold(brand.name) for brand in configured}:
                raise _bad_request("brand: not one of the configured brands")
            configured = [brand for brand in configured if fold(brand.name) in asked]
        if len(configured) > MAX_BRANDS:
            raise _bad_request(f"brand: at most {MAX_BRANDS} brands at once")
        return TrendScope(start=start, end=end, bucket=params.bucket, brands=tuple(configured))

    def volume(self, params: TrendParams) -> VolumeTrend:
        return volume_trend(self.client, self.names, self.scope(params))

    def share_of_voice(self, params: TrendParams) -> ShareOfVoice:
        return share_of_voice(self.client, self.names, self.scope(params))

    def sentiment(self, params: TrendParams) -> NetSentiment:
        return net_sentiment(self.client, self.names, self.scope(params))

    def topics(self, params: TopicParams) -> TopicsTrend:
        return topics_trend(self.client, self.names, self.scope(params), size=params.topics)

    def themes(self, params: ThemeParams) -> ThemesView:
        found = rising_themes(
            self.client,
            self.names,
            self.scope(params),
            size=params.size,
            excluded_names=self.settings.brand_words(),
        )
        return themes_view(found)

    def emerging(self, params: EmergingParams, encoder: CachedThemeEncoder) -> EmergingThemesView:
        """The emerging themes (:func:`kikimimi.emerging_themes.emerging_themes`), embedding
        at most ``trends.emerging_embed_per_request`` posts that ``encoder``'s cache lacks."""
        from kikimimi.emerging_themes import (  # noqa: PLC0415 - spaCy loads with the first
            emerging_themes,
        )

        scope = self.scope(params)
        found = emerging_themes(
            self.client,
            self.names,
            encoder,
            start=scope.start,
            end=scope.end,
            brands=[brand.name for brand in scope.brands],
            bucket=scope.bucket,
            excluded_names=self.settings.brand_words(),
            limit=params.limit,
            embed_limit=self.settings.trends.emerging_embed_per_request,
        )
        return emerging_view(found)

    def sources(self, params: ListParams) -> TopSources:
        return top_sources(self.client, self.names, self.scope(params), size=params.size)

    def authors(self, params: ListParams) -> TopAuthors:
        return top_authors(self.client, self.names, self.scope(params), size=params.size)

    def posts(self, params: PostParams) -> PostsView:
        filters = PostFilters(
            sentiment=params.sentiment,
            topic=params.topic,
            source=params.source,
            author=params.author,
            theme=params.theme,
        )
        found = trend_posts(self.client, self.names, self.scope(params), filters, size=params.size)
        return posts_view(found)


def _bad_request(message: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)
