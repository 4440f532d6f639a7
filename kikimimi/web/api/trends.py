"""``/api/v1/trends/...``: the brands' trends for marketers (``view_trends``: marketers,
leads, admins; an agent gets 403). Each takes a period (``start``, ``end``), a ``bucket``
and ``brand`` (repeatable; default every configured brand) and compares the period with the
previous one of the same length; the figures answer JSON, or CSV with ``format=csv``.

Emerging themes are the one figure computed here rather than in Elasticsearch (posts are
embedded with the sentence encoder): a request embeds at most
``trends.emerging_embed_per_request`` posts the embedding cache lacks (``kikimimi run`` embeds
new ones ahead of time) and counts the others it left out as ``pending``; without the
encoder's files it is 503."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, Query, Response, status

from indexer import (
    NetSentiment,
    Period,
    ShareOfVoice,
    TopAuthors,
    TopicsTrend,
    TopSources,
    VolumeTrend,
)
from kikimimi.accounts import Permission
from kikimimi.web.access import require
from kikimimi.web.trends import (
    EmergingParams,
    EmergingThemesView,
    ListParams,
    PostParams,
    PostsView,
    SeriesParams,
    ThemeEncoderService,
    ThemeParams,
    ThemesView,
    TopicParams,
    TrendsService,
)
from kikimimi.web.trends.csv_export import (
    Table,
    authors_table,
    csv_response,
    emerging_table,
    sentiment_table,
    share_table,
    sources_table,
    themes_table,
    topics_table,
    volume_table,
)

router = APIRouter(
    prefix="/api/v1/trends",
    tags=["trends"],
    dependencies=[Depends(require(Permission.VIEW_TRENDS))],
)

_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: {
        "description": "a period that cannot be asked for, or a brand not configured"
    },
}
_CSV: dict[int | str, dict[str, Any]] = {
    **_RESPONSES,
    status.HTTP_200_OK: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "JSON, or with `format=csv` a CSV download (UTF-8 with a BOM).",
    },
}


_EMERGING: dict[int | str, dict[str, Any]] = {
    **_CSV,
    status.HTTP_503_SERVICE_UNAVAILABLE: {
        "description": "the sentence encoder's files are missing, or Elasticsearch or the "
        "embedding cache cannot be used now"
    },
}


class _Figures(Protocol):
    @property
    def period(self) -> Period: ...


F = TypeVar("F", bound=_Figures)


def _answer(found: F, params: SeriesParams, name: str, table: Callable[[F], Table]) -> F | Response:
    """``found`` as JSON, or as the CSV of ``table(found)`` when asked for."""
    return csv_response(name, found.period, table(found)) if params.format == "csv" else found


@router.get("/volume", response_model=VolumeTrend, responses=_CSV)
def volume(
    trends: TrendsService, params: Annotated[SeriesParams, Query()]
) -> VolumeTrend | Response:
    """Volume and sentiment over time, each brand against the previous period."""
    return _answer(trends.volume(params), params, "volume", volume_table)


@router.get("/share-of-voice", response_model=ShareOfVoice, responses=_CSV)
def share_of_voice(
    trends: TrendsService, params: Annotated[SeriesParams, Query()]
) -> ShareOfVoice | Response:
    """Share of voice of each brand, and of ours against the competitors', of all posts
    and of the negative ones."""
    return _answer(trends.share_of_voice(params), params, "share-of-voice", share_table)


@router.get("/sentiment", response_model=NetSentiment, responses=_CSV)
def sentiment(
    trends: TrendsService, params: Annotated[SeriesParams, Query()]
) -> NetSentiment | Response:
    """Net sentiment, (positive - negative) / total, per brand."""
    return _answer(trends.sentiment(params), params, "sentiment", sentiment_table)


@router.get("/topics", response_model=TopicsTrend, responses=_CSV)
def topics(
    trends: TrendsService, params: Annotated[TopicParams, Query()]
) -> TopicsTrend | Response:
    """Each brand's most talked-about topics over time, against the previous period."""
    return _answer(trends.topics(params), params, "topics", topics_table)


@router.get("/themes", response_model=ThemesView, responses=_CSV)
def themes(trends: TrendsService, params: Annotated[ThemeParams, Query()]) -> ThemesView | Response:
    """Rising themes: terms and two-word phrases (English and Japanese) significantly more
    frequent than in the previous period, with example posts."""
    return _answer(trends.themes(params), params, "themes", themes_table)


@router.get("/emerging", response_model=EmergingThemesView, responses=_EMERGING)
def emerging(
    trends: TrendsService,
    encoder: ThemeEncoderService,
    params: Annotated[EmergingParams, Query()],
) -> EmergingThemesView | Response:
    """Emerging themes nobody configured: the period's negative posts without a topic,
    grouped by what they say (multilingual sentence embeddings), each group named by its most
    distinctive words, with its size, its posts per bucket, its size in the previous period and
    example posts. `pending` counts the newest posts left out because they are not embedded
    yet (see `trends.emerging_embed_per_request`); ask again later for them."""
    return _answer(trends.emerging(params, encoder.get()), params, "emerging", emerging_table)


@router.get("/sources", response_model=TopSources, responses=_CSV)
def sources(trends: TrendsService, params: Annotated[ListParams, Query()]) -> TopSources | Response:
    """The sources with the most posts, against the previous period."""
    return _answer(trends.sources(params), params, "sources", sources_table)


@router.get("/authors", response_model=TopAuthors, responses=_CSV)
def authors(trends: TrendsService, params: Annotated[ListParams, Query()]) -> TopAuthors | Response:
    """The most-reached authors: followers × posts (the sum of their follower count over
    their posts of the period)."""
    return _answer(trends.authors(params), params, "authors", authors_table)


@router.get("/posts", responses=_RESPONSES)
def posts(trends: TrendsService, params: Annotated[PostParams, Query()]) -> PostsView:
    """The posts behind a figure (a bar's bucket as the period, its brand, and what it
    counted: sentiment, topic, source, author, theme), newest first."""
    return trends.posts(params)
