"""What the trends queries answer: typed, immutable records (the JSON API returns them).

Every count is an Elasticsearch aggregation. A post about two of the brands counts for
each of them, with its one sentiment.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from core import IndexedMention
from indexer.trends.scope import BrandRole, Bucket


class TrendRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(TrendRecord):
    """The period asked about, [start, end), and the previous one, [previous_start, start)."""

    start: datetime
    end: datetime
    previous_start: datetime
    bucket: Bucket


class SentimentCounts(TrendRecord):
    """Posts by sentiment; ``unlabelled``: posts without one (not scored)."""

    total: int
    positive: int
    neutral: int
    negative: int
    unlabelled: int

    @property
    def net(self) -> float | None:
        """(positive - negative) / total, ``None`` without posts."""
        return (self.positive - self.negative) / self.total if self.total else None


class Change(TrendRecord):
    """A count now and in the previous period: ``difference`` and ``ratio`` (now / before
    - 1; ``None`` when there was nothing before)."""

    current: int
    previous: int
    difference: int
    ratio: float | None


def change(current: int, previous: int) -> Change:
    return Change(
        current=current,
        previous=previous,
        difference=current - previous,
        ratio=current / previous - 1 if previous else None,
    )


class VolumePoint(TrendRecord):
    """One bucket of a series: its start and its posts by sentiment."""

    at: datetime
    counts: SentimentCounts


class BrandVolume(TrendRecord):
    """One brand's posts in the period, by sentiment and over time, against the previous
    period (``previous_series``: its buckets, as many, from its start)."""

    brand: str
    role: BrandRole
    current: SentimentCounts
    previous: SentimentCounts
    change: Change
    series: list[VolumePoint]
    previous_series: list[VolumePoint]


class VolumeTrend(TrendRecord):
    """Volume and sentiment over time, each brand against the previous period."""

    period: Period
    brands: list[BrandVolume]


class Share(TrendRecord):
    """A brand's (or side's) posts and their share of all the brands' posts (0 to 1), now
    and in the previous period; ``change``: the share now minus the share before (0.05 is
    5 percentage points); ``None`` where a period had no posts."""

    posts: int
    share: float | None
    previous_posts: int
    previous_share: float | None
    change: float | None


class VoiceShares(TrendRecord):
    """A share of voice: of all posts and of the negative ones."""

    all_posts: Share
    negative_posts: Share


class BrandShare(VoiceShares):
    """One brand's share of voice."""

    brand: str
    role: BrandRole


class ShareOfVoice(TrendRecord):
    """Share of voice of each brand, and of our brands (``own``) against the competitors'
    (shares of the sum of the brands' posts, so they add up to 1)."""

    period: Period
    brands: list[BrandShare]
    own: VoiceShares
    competitors: VoiceShares


class BrandSentiment(TrendRecord):
    """Net sentiment of one brand, (positive - negative) / total (-1 to 1), now and before;
    ``change``: now minus before (``None`` unless both periods had posts)."""

    brand: str
    role: BrandRole
    current: SentimentCounts
    previous: SentimentCounts
    net: float | None
    previous_net: float | None
    change: float | None


class NetSentiment(TrendRecord):
    """Net sentiment per brand against the previous period."""

    period: Period
    brands: list[BrandSentiment]


class CountPoint(TrendRecord):
    """One bucket of a series: its start and its count."""

    at: datetime
    count: int


class TopicTrend(TrendRecord):
    """One topic of a brand: its posts now against before, its negative posts now, and its
    series over the period."""

    topic: str
    change: Change
    negative: int
    series: list[CountPoint]


class BrandTopics(TrendRecord):
    """A brand's most talked-about topics of the period."""

    brand: str
    role: BrandRole
    topics: list[TopicTrend]


class TopicsTrend(TrendRecord):
    """Topics per brand over time, against the previous period."""

    period: Period
    brands: list[BrandTopics]


class RisingTheme(TrendRecord):
    """A term or two-word phrase significantly more frequent in the period than in the
    previous one. ``term``: as it reads (a Japanese pair without the space between);
    ``key``: as indexed in ``text.phrases`` (what the posts behind it are found by);
    ``posts``: posts of the analysed sample holding it; ``previous_posts``: of the previous
    period; ``score``: Elasticsearch's significance score (JLH); ``examples``: some of its
    posts, the most followed authors' first."""

    term: str
    key: str
    score: float
    posts: int
    previous_posts: int
    examples: list[IndexedMention]


class RisingThemes(TrendRecord):
    """Rising themes, most significant first. ``sampled``: the period's posts analysed (at
    most the sample size per index); ``previous_total``: posts in the previous period."""

    period: Period
    sampled: int
    previous_total: int
    themes: list[RisingTheme]


class SourceTrend(TrendRecord):
    """One source's posts now against before, and its negative posts now."""

    source: str
    change: Change
    negative: int


class TopSources(TrendRecord):
    """The sources with the most posts in the period."""

    period: Period
    sources: list[SourceTrend]


class AuthorReach(TrendRecord):
    """An author by reach: ``reach`` is the sum of their follower count over their posts of
    the period (followers × posts); ``followers``: the highest count seen, ``None`` when the
    source does not say (such authors reach 0)."""

    source: str
    handle: str
    name: str | None
    verified: bool | None
    followers: int | None
    posts: int
    reach: int


class TopAuthors(TrendRecord):
    """The most-reached authors of the period, highest reach first."""

    period: Period
    authors: list[AuthorReach]
