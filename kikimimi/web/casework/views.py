"""What the inbox and the case page show, and the API answers: typed views of a case built
once here (the pages render them, the API returns them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel

from core import PRIORITY_ORDER, Case, CaseEvent, IndexedMention

SlaState = Literal["ok", "amber", "red", "answered", "closed"]
AMBER_SHARE = 0.25
"""The countdown turns amber in the last quarter of the SLA, red once it is due."""


class SlaClock(BaseModel):
    """The SLA countdown of a case: ``state`` is its class on the card (``amber`` in the
    last quarter of the SLA, ``red`` once due); ``amber_at`` and ``due_at`` let the page
    count down by itself."""

    state: SlaState
    text: str
    due_at: datetime
    amber_at: datetime


class CaseCard(BaseModel):
    """A case as the inbox lists it."""

    id: str
    priority: str
    priority_rank: int
    sla: SlaClock
    brand: str
    source: str | None
    author: str
    excerpt: str
    posts: int
    status: str
    assigned_to: str | None
    lang: str | None
    team: str | None
    tags: list[str]
    tagged: bool
    opened_at: datetime
    updated_at: datetime | None


class Post(BaseModel):
    """One post of a case, in the case's order; ``found`` is false while the post is not in
    the mentions index (or no longer). ``url`` is the original's address, http(s) only."""

    id: str
    found: bool
    source: str | None = None
    published_at: datetime | None = None
    url: str | None = None
    title: str | None = None
    text: str = ""
    author: str | None = None
    sentiment: str | None = None


class EarlierCase(BaseModel):
    """Another case of the same author (of a team the reader may see)."""

    id: str
    brand: str
    status: str
    opened_at: datetime
    excerpt: str


class AuthorCard(BaseModel):
    handle: str | None
    name: str | None
    followers: int | None
    verified: bool | None
    vip: bool
    do_not_market: bool
    earlier_cases: list[EarlierCase]


class WhyOpened(BaseModel):
    """Why the case was opened: the rule and its reason, and what the first post was found
    to be (sentiment with its probabilities, intent, topics)."""

    rule: str
    reason: str
    sentiment: str | None
    sentiment_score: float | None
    probabilities: dict[str, float]
    intent: str | None
    topics: list[str]


class CaseDetail(BaseModel):
    """A case as its page shows it."""

    case: Case
    card: CaseCard
    posts: list[Post]
    author: AuthorCard
    why: WhyOpened
    viewers: list[str]


class InboxPage(BaseModel):
    """One page of the inbox: its cards, how many cases match, the next page's cursor."""

    cases: list[CaseCard]
    total: int
    next_cursor: str | None


class Changes(BaseModel):
    """What changed since a time, for one user's live inbox: cards to show, ids of cases
    that no longer match, the latest write seen, and whether more changes wait (the
    answer was full)."""

    cards: list[CaseCard]
    gone: list[str]
    latest: datetime | None
    more: bool


def sla_clock(case: Case, now: datetime) -> SlaClock:
    window = max(case.sla_due_at - case.opened_at, timedelta(0))
    amber_at = case.sla_due_at - window * AMBER_SHARE
    state: SlaState
    if case.status == "closed":
        state, text = "closed", "closed"
    elif case.first_response_at is not None:
        state, text = "answered", "answered"
    elif case.sla_breached or now >= case.sla_due_at:
        state, text = "red", f"overdue {duration(now - case.sla_due_at)}"
    else:
        state = "amber" if now >= amber_at else "ok"
        text = f"due in {duration(case.sla_due_at - now)}"
    return SlaClock(state=state, text=text, due_at=case.sla_due_at, amber_at=amber_at)


def duration(delta: timedelta) -> str:
    """``4 min``, ``2 h 05 min``, ``3 d 4 h``: how the countdown reads (``static/inbox.js``
    writes the same)."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def card(case: Case, now: datetime) -> CaseCard:
    author = case.author
    return CaseCard(
        id=case.id,
        priority=case.priority,
        priority_rank=PRIORITY_ORDER[case.priority],
        sla=sla_clock(case, now),
        brand=case.brand,
        source=case.source,
        author=f"@{author.handle}" if author.handle else author.name or "(unknown author)",
        excerpt=case.excerpt,
        posts=len(case.mention_ids),
        status=case.status,
        assigned_to=case.assigned_to,
        lang=case.lang,
        team=case.team,
        tags=list(case.tags),
        tagged=case.tagged,
        opened_at=case.opened_at,
        updated_at=case.updated_at,
    )


def post(mention_id: str, mention: IndexedMention | None) -> Post:
    if mention is None:
        return Post(id=mention_id, found=False)
    return Post(
        id=mention_id,
        found=True,
        source=mention.source,
        published_at=mention.published_at,
        url=safe_url(mention.url),
        title=mention.title,
        text=mention.text,
        author=mention.author.handle or mention.author.name,
        sentiment=None if mention.sentiment is None else mention.sentiment.label,
    )


def why_opened(case: Case, first: IndexedMention | None) -> WhyOpened:
    sentiment = None if first is None else first.sentiment
    return WhyOpened(
        rule=case.rule,
        reason=case.reason,
        sentiment=None if sentiment is None else sentiment.label,
        sentiment_score=None if sentiment is None else sentiment.score,
        probabilities={} if sentiment is None else dict(sentiment.probabilities),
        intent=None if first is None else first.intent,
        topics=[] if first is None else list(first.topics),
    )


def author_card(case: Case, mentions: list[IndexedMention], earlier: list[Case]) -> AuthorCard:
    author = case.author
    return AuthorCard(
        handle=author.handle,
        name=author.name,
        followers=author.followers,
        verified=author.verified,
        vip=any(mention.vip for mention in mentions),
        do_not_market=case.do_not_market,
        earlier_cases=[
            EarlierCase(
                id=other.id,
                brand=other.brand,
                status=other.status,
                opened_at=other.opened_at,
                excerpt=other.excerpt,
            )
            for other in earlier
        ],
    )


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address (a post's link is never ``javascript:``)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


EVENT_LABELS: dict[str, str] = {
    "opened": "opened",
    "mention_added": "new post",
    "assigned": "assigned",
    "claimed": "claimed",
    "taken_over": "taken over",
    "responded": "response",
    "note": "note",
    "tagged": "tagged",
    "untagged": "untagged",
    "priority_changed": "priority",
    "merged": "merged",
    "closed": "closed",
    "reopened": "reopened",
    "sla_breached": "SLA breached",
    "escalated": "escalated",
}


def event_label(event: CaseEvent) -> str:
    return EVENT_LABELS.get(event.kind, event.kind.replace("_", " "))
