"""A seeded stream whose trends are known, on the real local Elasticsearch.

Two weeks of November 2026 about three brands, the previous week and this one (:data:`WEEK`
is this week; :data:`SCOPE` asks about it by day):

=============  ==============================  ==============================
brand          previous week                   this week
=============  ==============================  ==============================
Hoshi Mobile   40: 20 pos, 10 neu, 10 neg      60: 20 pos, 10 neu, 30 neg
Nami Telecom   40: 10 pos, 20 neu, 10 neg      30: 12 pos, 12 neu, 6 neg
Kaze Wireless  20: 10 pos, 10 neu              10: 2 pos, 2 neu, 4 neg, 2 unscored
=============  ==============================  ==============================

The n-th post of a brand and week is published on day n % 7 of its week, English when n is
even and Japanese when odd. This week's posts come from Bluesky (even n) and Mastodon
(odd n), last week's from Hacker News. Hoshi Mobile's topics: ``outage`` on its first 25
negative posts this week and first 5 last week, ``billing`` on its first 10 positive ones
in both. Its authors this week: ``busy`` (2,000 followers) wrote the even posts 0-38 (20
on Bluesky), ``star`` (10,000) posts 1, 3 and 5 (on Mastodon), ``nobody`` (followers
unknown) the odd posts 7-25; the rest one author each with n followers (competitors'
authors: 1 follower).

Planted rising themes: ``roaming`` in Hoshi Mobile's English posts 0-28 of this week (15
posts) and ``圏外`` in its Japanese posts 1-29 (15), never before. The rest of every text is
words drawn at random from the same banks in both weeks.

Noise that must not count: a deleted post, a post about an unlisted brand and a post of
the week before last.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from elasticsearch import Elasticsearch, helpers

from core import (
    Author,
    BrandMatch,
    IndexedMention,
    IndexNames,
    Sentiment,
    SentimentLabel,
)
from indexer import TrendBrand, TrendScope, install_templates

HOSHI, NAMI, KAZE = "Hoshi Mobile", "Nami Telecom", "Kaze Wireless"
BRANDS = (
    TrendBrand(name=HOSHI, role="own"),
    TrendBrand(name=NAMI, role="competitor"),
    TrendBrand(name=KAZE, role="competitor"),
)
WEEK = datetime(2026, 11, 8, tzinfo=UTC)
PREVIOUS_WEEK = WEEK - timedelta(days=7)
SCOPE = TrendScope(start=WEEK, end=WEEK + timedelta(days=7), bucket="day", brands=BRANDS)

POS: list[SentimentLabel | None] = ["positive"]
NEU: list[SentimentLabel | None] = ["neutral"]
NEG: list[SentimentLabel | None] = ["negative"]
UNSCORED: list[SentimentLabel | None] = [None]
LABELS: dict[tuple[str, str], list[SentimentLabel | None]] = {
    ("previous", HOSHI): POS * 20 + NEU * 10 + NEG * 10,
    ("previous", NAMI): POS * 10 + NEU * 20 + NEG * 10,
    ("previous", KAZE): POS * 10 + NEU * 10,
    ("current", HOSHI): NEG * 30 + POS * 20 + NEU * 10,
    ("current", NAMI): POS * 12 + NEU * 12 + NEG * 6,
    ("current", KAZE): POS * 2 + NEU * 2 + NEG * 4 + UNSCORED * 2,
}
"""Each post's sentiment label (``None``: not scored), by week and brand, in post order."""

EN_WORDS = [
    "network",
    "plan",
    "store",
    "app",
    "price",
    "support",
    "fast",
    "slow",
    "signal",
    "bill",
    "phone",
    "data",
    "speed",
    "coverage",
    "upgrade",
    "contract",
    "family",
    "student",
    "discount",
    "station",
    "train",
    "office",
    "home",
    "weekend",
    "morning",
    "evening",
    "video",
    "music",
    "game",
    "call",
    "message",
    "chat",
    "update",
    "battery",
    "screen",
    "camera",
    "card",
]
JA_WORDS = [
    "料金",
    "電波",
    "アプリ",
    "速度",
    "店舗",
    "契約",
    "解約",
    "機種",
    "通話",
    "改善",
    "対応",
    "最高",
    "遅い",
    "安い",
    "高い",
    "新宿",
    "渋谷",
    "自宅",
    "会社",
    "電車",
    "朝",
    "夜",
    "週末",
    "動画",
    "音楽",
    "ゲーム",
    "写真",
    "充電",
    "画面",
    "更新",
    "家族",
    "学割",
]


def _text(rng: random.Random, english: bool, planted: str | None) -> str:
    words = rng.sample(EN_WORDS if english else JA_WORDS, 6)
    if planted:
        words.insert(rng.randint(1, 5), planted)
    return (" " if english else "、").join(words)


def _author(week: str, brand: str, n: int) -> Author:
    if week == "current" and brand == HOSHI:
        if n % 2 == 0 and n < 40:
            return Author(id="busy", handle="busy", name="Busy Bee", followers=2_000)
        if n in (1, 3, 5):
            return Author(id="star", handle="star", name="Star", followers=10_000, verified=True)
        if n % 2 == 1 and n < 27:
            return Author(id="nobody", handle="nobody", name="Nobody")
        return Author(id=f"u{n}", handle=f"user{n}", followers=n)
    handle = f"fan-{brand.split(maxsplit=1)[0].lower()}-{week}-{n}"
    return Author(id=handle, handle=handle, followers=1)


def _topics(week: str, brand: str, labels: list[SentimentLabel | None], n: int) -> list[str]:
    if brand != HOSHI:
        return []
    label = labels[n]
    nth = labels[:n].count(label)  # the how-many-th post of its label
    outages = 25 if week == "current" else 5
    if label == "negative" and nth < outages:
        return ["outage"]
    if label == "positive" and nth < 10:
        return ["billing"]
    return []


def _planted(week: str, brand: str, n: int) -> str | None:
    if week != "current" or brand != HOSHI or n >= 30:
        return None
    return "roaming" if n % 2 == 0 else "圏外"


def mention(
    native_id: str,
    text: str,
    published: datetime,
    brand: str,
    label: SentimentLabel | None,
    **fields: object,
) -> IndexedMention:
    sentiment = None
    if label is not None:
        probabilities = dict.fromkeys(get_args(SentimentLabel), 0.1) | {label: 0.8}
        sentiment = Sentiment(label=label, score=0.8, probabilities=probabilities, model="test")
    role = "own" if brand == HOSHI else "competitor"
    return IndexedMention.model_validate(
        {
            "source": "bluesky",
            "native_id": native_id,
            "url": f"https://social.example/{native_id}",
            "text": text,
            "published_at": published,
            "collected_at": published,
            "brands": [BrandMatch(brand=brand, role=role, tagged=False)],
            "sentiment": sentiment,
            **fields,
        }
    )


def seeded_mentions() -> list[IndexedMention]:
    rng = random.Random(20261108)
    mentions = []
    for (week, brand), labels in LABELS.items():
        start = WEEK if week == "current" else PREVIOUS_WEEK
        for n, label in enumerate(labels):
            english = n % 2 == 0
            mentions.append(
                mention(
                    f"{week}-{brand}-{n}",
                    _text(rng, english, _planted(week, brand, n)),
                    start + timedelta(days=n % 7, hours=1 + n % 20),
                    brand,
                    label,
                    source="hackernews" if week == "previous" else ("bluesky", "mastodon")[n % 2],
                    lang="en" if english else "ja",
                    author=_author(week, brand, n),
                    topics=_topics(week, brand, labels, n),
                )
            )
    noise = [
        mention("deleted", "roaming roaming", WEEK + timedelta(hours=3), HOSHI, "negative"),
        mention("other", "roaming elsewhere", WEEK + timedelta(hours=4), "Other Co", "negative"),
        mention("old", "long ago", PREVIOUS_WEEK - timedelta(days=1), HOSHI, "negative"),
    ]
    noise[0] = noise[0].model_copy(update={"deleted": True})
    return mentions + noise


@pytest.fixture
def seeded(es: Elasticsearch, index_names: IndexNames) -> Iterator[IndexNames]:
    """The seeded stream indexed as the pipeline indexes it, searchable; its index names."""
    install_templates(es, index_names)
    actions = (
        {
            "_index": index_names.mention_index(m.published_at),
            "_id": m.id,
            "_source": m.model_dump(mode="json", exclude_none=True),
        }
        for m in seeded_mentions()
    )
    helpers.bulk(es, actions, refresh=True)
    yield index_names
