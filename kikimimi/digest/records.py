"""The digest as one typed record: what every rendering (e-mail, text, Slack) shows.

Counts and shares are the indexer's trends records (Elasticsearch aggregations); the care
figures are ``kikimimi report``'s tiles. Text from the public (post excerpts, author names,
theme terms) is kept as found but on one line, without control characters and cut short:
each renderer escapes it for its medium.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from indexer import BrandRole, Change, SentimentCounts, VoiceShares


class DigestRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Excerpt(DigestRecord):
    """One example post: who, where, when, an excerpt of its text, its link (http(s) only)."""

    author: str
    source: str
    published_at: datetime
    text: str
    url: str | None


class BrandHealth(DigestRecord):
    """One brand's week: posts against the previous period, by sentiment, per day; its net
    sentiment now and before; its share of voice (of all posts, of the negative ones)."""

    brand: str
    role: BrandRole
    posts: Change
    sentiment: SentimentCounts
    previous_sentiment: SentimentCounts
    daily: list[int]
    share: VoiceShares

    @property
    def net(self) -> float | None:
        return self.sentiment.net

    @property
    def previous_net(self) -> float | None:
        return self.previous_sentiment.net


class TopTopic(DigestRecord):
    """A topic of one brand with its posts against before, its negative posts and an
    example post."""

    brand: str
    topic: str
    posts: Change
    negative: int
    example: Excerpt | None


class Theme(DigestRecord):
    """A rising theme: its term, its posts now and before, an example post."""

    term: str
    posts: int
    previous_posts: int
    example: Excerpt | None


class Spike(DigestRecord):
    """A spike alert of the period and why it fired."""

    brand: str
    window_start: datetime
    window_end: datetime
    count: int | None
    baseline: float | None
    why: str


class KpiTile(DigestRecord):
    """One care KPI as ``kikimimi report`` shows it: label, value, a line of detail."""

    label: str
    value: str
    detail: str


class CareKpis(DigestRecord):
    """The care KPIs of the period for one brand (``None``: every brand)."""

    brand: str | None
    tiles: list[KpiTile]


class Digest(DigestRecord):
    """An audience's brand-health digest for a period of local days ``[start, end)`` in
    ``timezone``, against the previous period of the same length."""

    audience: str
    timezone: str
    start: datetime
    end: datetime
    days: list[date]
    brands: list[BrandHealth]
    own: VoiceShares | None
    topics: list[TopTopic]
    themes: list[Theme]
    spikes: list[Spike]
    care: list[CareKpis]
