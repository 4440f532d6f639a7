"""What the feeds page, the dashboard and their API show: typed views built once here (the
pages render them, the API returns them)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from core import IndexedMention, Notice, one_line
from kikimimi.web.casework import CaseCard
from kikimimi.web.casework.views import safe_url

EXCERPT_CHARS = 280
N = TypeVar("N", int, float)


class FeedItem(BaseModel):
    """A mention as a feed or a search lists it. ``feeds``: the team feeds it went to that
    the reader may see; ``rules``: the rules that fired on it (why it is here); ``url``:
    the original post, http(s) only."""

    id: str
    feeds: list[str]
    brands: list[str]
    source: str
    author: str
    published_at: datetime
    lang: str | None
    sentiment: str | None
    sentiment_score: float | None
    intent: str | None
    topics: list[str]
    rules: list[str]
    excerpt: str
    url: str | None


class FeedPage(BaseModel):
    """One page of feed items, newest first; ``next_cursor`` asks for the page after."""

    items: list[FeedItem]
    total: int
    next_cursor: str | None


class SpikeAlert(BaseModel):
    """A spike alert as it was recorded: the brand, its window, the count against the
    baseline, and ``why`` (the detector's reason) with example posts."""

    id: str
    brand: str | None
    subject: str
    why: str
    examples: list[str]
    count: int | None
    baseline: float | None
    ratio: float | None
    top_topics: list[str]
    window_start: datetime | None
    window_end: datetime | None
    raised_at: datetime


class MentionHits(BaseModel):
    """The newest mentions matching a search."""

    query: str
    items: list[FeedItem]


class Tile(BaseModel):
    """One KPI tile: its label, value and a line of detail."""

    label: str
    value: str
    detail: str


class TeamCount(BaseModel):
    """A team's open cases now, and the cases opened today."""

    team: str
    open_now: int
    opened_today: int


class Dashboard(BaseModel):
    """A lead's dashboard: today's KPIs for their teams (``teams`` is ``None`` for all),
    open cases by team, and the open cases past their SLA or due soon."""

    start: datetime
    end: datetime
    teams: list[str] | None
    tiles: list[Tile]
    by_team: list[TeamCount]
    breached: list[CaseCard]
    breached_total: int
    at_risk: list[CaseCard]
    at_risk_total: int
    at_risk_minutes: int


def feed_item(mention: IndexedMention, readable_feeds: list[str]) -> FeedItem:
    """``mention`` as a feed item showing only the feeds in ``readable_feeds``."""
    author = mention.author.handle or mention.author.name or mention.author.id or "someone"
    sentiment = mention.sentiment
    text = one_line(mention.text)
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1] + "…"
    return FeedItem(
        id=mention.id,
        feeds=readable_feeds,
        brands=[match.brand for match in mention.brands],
        source=mention.source,
        author=author,
        published_at=mention.published_at,
        lang=mention.detected_lang or mention.lang,
        sentiment=None if sentiment is None else sentiment.label,
        sentiment_score=None if sentiment is None else sentiment.score,
        intent=mention.intent,
        topics=list(mention.topics),
        rules=list(mention.rules),
        excerpt=text,
        url=safe_url(mention.url),
    )


def spike_alert(notice: Notice) -> SpikeAlert:
    """A recorded spike notice as an alert (facts it lacks are ``None``)."""
    why, _, rest = notice.body.partition("\n\n")
    examples = [line[2:] for line in rest.splitlines() if line.startswith("- ")]
    facts = notice.facts
    return SpikeAlert(
        id=notice.key.removesuffix(f":{notice.channel}"),
        brand=notice.brand,
        subject=notice.subject,
        why=why,
        examples=examples,
        count=_number(facts.get("count"), int),
        baseline=_number(facts.get("baseline"), float),
        ratio=_number(facts.get("ratio"), float),
        top_topics=[t for t in facts.get("top_topics", "").split(", ") if t],
        window_start=_moment(facts.get("window_start")),
        window_end=_moment(facts.get("window_end")),
        raised_at=notice.created_at,
    )


def _number(text: str | None, kind: type[N]) -> N | None:
    try:
        return None if text is None else kind(text)
    except ValueError:
        return None


def _moment(text: str | None) -> datetime | None:
    try:
        return None if text is None else datetime.fromisoformat(text)
    except ValueError:
        return None
