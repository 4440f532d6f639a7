"""A digest built by hand (no Elasticsearch), for the rendering tests: two brands over a week,
a topic, a theme, a spike and care KPIs; the text from the public replaceable by hostile
text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from indexer import Change, SentimentCounts, Share, VoiceShares
from kikimimi.digest.records import (
    BrandHealth,
    CareKpis,
    Digest,
    Excerpt,
    KpiTile,
    Spike,
    Theme,
    TopTopic,
)

START = datetime(2026, 11, 9, tzinfo=UTC)
END = START + timedelta(days=7)
POST_URL = "https://social.example/@kenta/1"


def share(posts: int, value: float, before: float) -> Share:
    return Share(
        posts=posts,
        share=value,
        previous_posts=posts,
        previous_share=before,
        change=value - before,
    )


def counts(positive: int, neutral: int, negative: int) -> SentimentCounts:
    return SentimentCounts(
        total=positive + neutral + negative,
        positive=positive,
        neutral=neutral,
        negative=negative,
        unlabelled=0,
    )


def example(text: str, author: str = "kenta", url: str | None = POST_URL) -> Excerpt:
    return Excerpt(
        author=author,
        source="bluesky",
        published_at=START + timedelta(days=2, hours=5),
        text=text,
        url=url,
    )


def sample_digest(
    *,
    brand: str = "Hoshi Mobile",
    text: str = "The network is down again in Shibuya",
    author: str = "kenta",
    term: str = "roaming",
    topic: str = "outage",
    why: str = "30 negative mentions of Hoshi Mobile in the last 60 min",
) -> Digest:
    return Digest(
        audience="marketing",
        timezone="UTC",
        start=START,
        end=END,
        days=[date(2026, 11, 9) + timedelta(days=n) for n in range(7)],
        brands=[
            BrandHealth(
                brand=brand,
                role="own",
                posts=Change(current=60, previous=40, difference=20, ratio=0.5),
                sentiment=counts(20, 10, 30),
                previous_sentiment=counts(20, 10, 10),
                daily=[9, 9, 9, 9, 8, 8, 8],
                share=VoiceShares(
                    all_posts=share(60, 2 / 3, 0.5), negative_posts=share(30, 30 / 36, 0.5)
                ),
            ),
            BrandHealth(
                brand="Nami Telecom",
                role="competitor",
                posts=Change(current=30, previous=40, difference=-10, ratio=-0.25),
                sentiment=counts(12, 12, 6),
                previous_sentiment=counts(10, 20, 10),
                daily=[0, 1, 2, 3, 4, 10, 10],
                share=VoiceShares(
                    all_posts=share(30, 1 / 3, 0.5), negative_posts=share(6, 6 / 36, 0.5)
                ),
            ),
        ],
        own=VoiceShares(all_posts=share(60, 2 / 3, 0.5), negative_posts=share(30, 30 / 36, 0.5)),
        topics=[
            TopTopic(
                brand=brand,
                topic=topic,
                posts=Change(current=25, previous=5, difference=20, ratio=4.0),
                negative=25,
                example=example(text, author),
            )
        ],
        themes=[Theme(term=term, posts=15, previous_posts=0, example=example(text, author))],
        spikes=[
            Spike(
                brand=brand,
                window_start=START + timedelta(days=2, hours=13),
                window_end=START + timedelta(days=2, hours=14),
                count=30,
                baseline=2.0,
                why=why,
            )
        ],
        care=[
            CareKpis(
                brand=None,
                tiles=[
                    KpiTile(label="Cases opened", value="4", detail="1 still open"),
                    KpiTile(label="First response (median)", value="30 min", detail=""),
                ],
            )
        ],
    )
