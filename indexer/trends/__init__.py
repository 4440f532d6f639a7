"""Trends for marketers, every figure an Elasticsearch aggregation over the mentions: for a
:class:`TrendScope` (a period, its bucket size, our brands and competitors) against the
previous period of the same length —

- :func:`volume_trend`: volume and sentiment over time per brand;
- :func:`share_of_voice`: of all posts and of the negative ones, ours against the
  competitors';
- :func:`net_sentiment`: (positive - negative) / total per brand;
- :func:`topics_trend`: topics per brand over time;
- :func:`rising_themes`: terms and phrases significantly more frequent than before
  (``significant_text``), English and Japanese, with example posts;
- :func:`top_sources` and :func:`top_authors` (followers × posts);
- :func:`trend_posts`: the posts behind a figure.

Each answers a typed record (:mod:`.records`); Elasticsearch's errors leave as
:class:`core.ElasticsearchError`.
"""

from indexer.trends.audience import AUTHORS, MAX_LISTED, SOURCES, top_authors, top_sources
from indexer.trends.brand_health import net_sentiment, share_of_voice, volume_trend
from indexer.trends.posts import MAX_POSTS, POSTS, PostFilters, TrendPosts, trend_posts
from indexer.trends.records import (
    AuthorReach,
    BrandSentiment,
    BrandShare,
    BrandTopics,
    BrandVolume,
    Change,
    CountPoint,
    NetSentiment,
    Period,
    RisingTheme,
    RisingThemes,
    SentimentCounts,
    Share,
    ShareOfVoice,
    SourceTrend,
    TopAuthors,
    TopicsTrend,
    TopicTrend,
    TopSources,
    VoiceShares,
    VolumePoint,
    VolumeTrend,
)
from indexer.trends.scope import (
    BUCKET_LENGTH,
    DEFAULT_PERIOD,
    MAX_BRANDS,
    MAX_BUCKETS,
    MAX_PERIOD,
    BrandRole,
    Bucket,
    TrendBrand,
    TrendScope,
    period_problem,
)
from indexer.trends.themes import MAX_THEMES, THEMES, rising_themes, theme_label
from indexer.trends.topics import MAX_TOPICS, TOPICS, topics_trend

__all__ = [
    "AUTHORS",
    "BUCKET_LENGTH",
    "DEFAULT_PERIOD",
    "MAX_BRANDS",
    "MAX_BUCKETS",
    "MAX_LISTED",
    "MAX_PERIOD",
    "MAX_POSTS",
    "MAX_THEMES",
    "MAX_TOPICS",
    "POSTS",
    "SOURCES",
    "THEMES",
    "TOPICS",
    "AuthorReach",
    "BrandRole",
    "BrandSentiment",
    "BrandShare",
    "BrandTopics",
    "BrandVolume",
    "Bucket",
    "Change",
    "CountPoint",
    "NetSentiment",
    "Period",
    "PostFilters",
    "RisingTheme",
    "RisingThemes",
    "SentimentCounts",
    "Share",
    "ShareOfVoice",
    "SourceTrend",
    "TopAuthors",
    "TopSources",
    "TopicTrend",
    "TopicsTrend",
    "TrendBrand",
    "TrendPosts",
    "TrendScope",
    "VoiceShares",
    "VolumePoint",
    "VolumeTrend",
    "net_sentiment",
    "period_problem",
    "rising_themes",
    "share_of_voice",
    "theme_label",
    "top_authors",
    "top_sources",
    "topics_trend",
    "trend_posts",
    "volume_trend",
]
