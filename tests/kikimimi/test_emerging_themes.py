"""Emerging themes on the real local Elasticsearch with the shipped sentence encoder: a
planted cluster of untopicked complaints (eSIM activation, which no configured topic covers)
among unrelated negative posts is the top theme, with its size, words, daily counts, previous
period and examples; posts with a topic, positive posts and other brands' posts stay out.
Posts the embedding cache lacks beyond a request's allowance are pending, and once embedded
(as the warm-up does) they are read from the cache."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, helpers

from config.loader import load_settings
from core import (
    Author,
    BrandMatch,
    IndexedMention,
    IndexNames,
    Sentiment,
    SentimentLabel,
    mention_id,
)
from indexer import install_templates
from kikimimi.emerging_themes import (
    EmergingThemes,
    emerging_themes,
    unembedded_posts,
)
from nlp import CachedThemeEncoder, E5SentenceEncoder
from tests.nlp.recording_encoder import Recording

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

START = datetime(2026, 11, 8, tzinfo=UTC)
END = START + timedelta(days=7)
HOSHI, NAMI = "Hoshi Mobile", "Nami Telecom"
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

PLANTED = [
    "Hoshi Mobile eSIM won't activate on my new phone",
    "My eSIM activation keeps failing with Hoshi Mobile",
    "Tried three times to activate the eSIM, still nothing",
    "The eSIM QR code they sent me is invalid, cannot activate",
    "Switched phones and the eSIM transfer failed, no signal for two days",
    "eSIM still not activated after 48 hours, this is ridiculous",
    "Why is activating an eSIM with Hoshi Mobile this hard? Failed again",
    "Scanned the eSIM QR code, it says activation failed",
    "New iPhone, eSIM stuck on 'activating' forever",
    "Hoshi Mobile's eSIM activation is broken, no service since Monday",
    "Can't get my eSIM to activate, the code gets rejected every time",
    "eSIM activation failed twice now, I'm stuck without a line",
    "The eSIM profile won't install, activation error every attempt",
    "Ported my number to an eSIM and it never activated",
    "Hoshi Mobile support says my eSIM is active but it never activated",
]
JA_PLANTED = [  # a second theme, in Japanese
    "ほしモバイルの留守番電話の通知が三日遅れて届いた",
    "留守電の通知が何日も遅れて来る、ほしモバイルひどい",
    "ほしモバイル、留守番電話のお知らせが届くのが遅すぎる",
    "留守番電話のメッセージ通知が翌々日に来るのはおかしい",
    "ほしモバイルの留守電通知、いつも数日遅れ",
]
UNRELATED = [
    "Hoshi Mobile charged me twice this month",
    "The shop assistant at Hoshi Mobile was rude to my mum",
    "My parcel with the new charger is a week late",
    "Hoshi Mobile prices went up again, far too expensive",
    "Waited on hold for an hour to reach Hoshi Mobile",
    "Hoshi Mobile network down in Osaka again this morning",
    "Hoshi Mobile's voicemail notifications arrive days late",
    "Roaming in France does not work at all with Hoshi Mobile",
    "The Hoshi Mobile website is so slow it times out",
    "Hoshi Mobile cancelled my contract without asking",
    "Coverage in my flat is terrible since they moved the mast",
    "Hoshi Mobile ads are everywhere, so annoying",
    "ほしモバイルの料金が高すぎる",
    "ほしモバイルの店員の態度が悪い",
    "ほしモバイル、電車の中で電波が全然入らない",
    "ほしモバイルの解約手続きが面倒くさい",
    "ほしモバイルのメールの返信が遅い",
    "ほしモバイルの請求書が分かりにくい",
    "ほしモバイルの家族割がなくなって残念",
    "ほしモバイルのキャンペーンの条件がひどい",
]
PREVIOUS_PLANTED = [
    "Hoshi Mobile eSIM activation failed on my phone",
    "Cannot activate my eSIM, the QR code does nothing",
    "eSIM won't activate after changing phones",
    "The eSIM activation keeps failing, still no service",
]
PLANTED_DAYS = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6]  # rising through the week


def post(
    key: str,
    text: str,
    published: datetime,
    *,
    label: SentimentLabel = "negative",
    topics: tuple[str, ...] = (),
    brand: str = HOSHI,
) -> IndexedMention:
    return IndexedMention(
        source="mastodon",
        native_id=key,
        text=text,
        lang="ja" if CJK.search(text) else "en",
        author=Author(handle=f"{key}-author", followers=10),
        published_at=published,
        collected_at=published,
        brands=[
            BrandMatch(brand=brand, role="own" if brand == HOSHI else "competitor", tagged=False)
        ],
        sentiment=Sentiment(label=label, score=0.9, probabilities={label: 0.9}, model="test"),
        topics=list(topics),
    )


def at(day: int, n: int) -> datetime:
    return START + timedelta(days=day, hours=1 + n % 20, minutes=n)


CURRENT_POSTS = len(PLANTED) + len(UNRELATED) + len(JA_PLANTED)  # negative, about Hoshi
PREVIOUS_POSTS = len(PREVIOUS_PLANTED) + 6


@pytest.fixture(scope="module")
def shipped() -> E5SentenceEncoder:
    return E5SentenceEncoder(device="cpu")


@pytest.fixture
def recording(shipped: E5SentenceEncoder) -> Recording:
    return Recording(shipped)


@pytest.fixture
def encoder(recording: Recording, tmp_path: Path) -> Iterator[CachedThemeEncoder]:
    cached = CachedThemeEncoder(recording, tmp_path / "embeddings.sqlite", max_entries=10_000)
    yield cached
    cached.close()


@pytest.fixture
def stream(es: Elasticsearch, index_names: IndexNames) -> list[IndexedMention]:
    return seed_stream(es, index_names)


def seed_stream(es: Elasticsearch, index_names: IndexNames) -> list[IndexedMention]:
    """Index the seeded stream; returns the planted posts of this week."""
    planted = [
        post(f"esim-{n}", text, at(day, n))
        for n, (text, day) in enumerate(zip(PLANTED, PLANTED_DAYS, strict=True))
    ]
    noise = [post(f"noise-{n}", text, at(n % 7, n)) for n, text in enumerate(UNRELATED)]
    japanese = [post(f"ja-{n}", text, at(n + 2, n)) for n, text in enumerate(JA_PLANTED)]
    topicked = [  # the same complaint, but a configured topic covers it
        post(f"topicked-{n}", text, at(n % 7, n), topics=("account",))
        for n, text in enumerate(PLANTED[:8])
    ]
    positive = [
        post(f"positive-{n}", text, at(n, n), label="positive")
        for n, text in enumerate(["eSIM activation took a minute, great", "eSIM set up fine"])
    ]
    competitor = [
        post(f"nami-{n}", text.replace(HOSHI, NAMI), at(n, n), brand=NAMI)
        for n, text in enumerate(PLANTED[:3])
    ]
    previous = [
        post(f"before-esim-{n}", text, at(n - 7, n)) for n, text in enumerate(PREVIOUS_PLANTED)
    ] + [post(f"before-noise-{n}", text, at(n - 7, n)) for n, text in enumerate(UNRELATED[:6])]
    install_templates(es, index_names)
    helpers.bulk(
        es,
        (
            {
                "_index": index_names.mention_index(m.published_at),
                "_id": m.id,
                "_source": m.model_dump(mode="json", exclude_none=True),
            }
            for m in planted + noise + japanese + topicked + positive + competitor + previous
        ),
        refresh=True,
    )
    return planted


def test_the_planted_complaints_are_the_top_emerging_theme(
    es: Elasticsearch,
    index_names: IndexNames,
    encoder: CachedThemeEncoder,
    stream: list[IndexedMention],
) -> None:
    found = emerging_themes(
        es,
        index_names,
        encoder,
        start=START,
        end=END,
        brands=[HOSHI],
        excluded_names=load_settings().brand_words(),
    )
    assert (found.total, found.sampled, found.pending) == (CURRENT_POSTS, CURRENT_POSTS, 0)
    assert (found.previous_total, found.previous_sampled, found.previous_pending) == (
        PREVIOUS_POSTS,
        PREVIOUS_POSTS,
        0,
    )
    top = found.themes[0]
    planted_ids = {m.id for m in stream}
    assert set(top.mention_ids) == planted_ids  # no topicked, positive or competitor post
    assert top.size == len(PLANTED)
    assert top.previous_size == len(PREVIOUS_PLANTED)
    assert {"esim", "activate"} <= set(top.terms)
    assert not {"hoshi", "mobile", "ほし", "星", "モバイル"} & set(top.terms)
    days = Counter(PLANTED_DAYS)
    assert [(b.at, b.count) for b in top.buckets] == [
        (START + timedelta(days=day), days[day]) for day in range(7)
    ]
    assert len(top.examples) == 3 and {m.id for m in top.examples} <= planted_ids
    assert top.examples[0].text in PLANTED  # kept as posted
    assert all(theme.size < top.size for theme in found.themes[1:])
    japanese_ids = {mention_id("mastodon", f"ja-{n}") for n in range(len(JA_PLANTED))}
    japanese = [theme for theme in found.themes if set(theme.mention_ids) == japanese_ids]
    assert len(japanese) == 1
    assert "通知" in japanese[0].terms


def test_posts_not_embedded_yet_are_pending_until_they_are(
    es: Elasticsearch,
    index_names: IndexNames,
    encoder: CachedThemeEncoder,
    recording: Recording,
    stream: list[IndexedMention],
) -> None:
    def themes(embed_limit: int) -> EmergingThemes:
        return emerging_themes(
            es,
            index_names,
            encoder,
            start=START,
            end=END,
            brands=[HOSHI],
            excluded_names=load_settings().brand_words(),
            embed_limit=embed_limit,
        )

    cold = themes(embed_limit=0)
    assert (cold.sampled, cold.pending, cold.previous_pending) == (0, CURRENT_POSTS, 10)
    assert cold.themes == [] and recording.embedded == []

    partly = themes(embed_limit=5)  # the 5 newest posts of the week
    assert (partly.sampled, partly.pending, partly.previous_pending) == (5, CURRENT_POSTS - 5, 10)
    assert len(recording.embedded) == 5

    missing = unembedded_posts(
        es,
        index_names,
        encoder,
        start=START,
        end=END,
        brands=[HOSHI],
        excluded_names=load_settings().brand_words(),
    )
    assert len(missing) == CURRENT_POSTS + PREVIOUS_POSTS - 5
    encoder.encode(missing)  # what the warm-up does
    embedded = len(recording.embedded)

    warm = themes(embed_limit=0)

    assert len(recording.embedded) == embedded  # everything read from the cache
    assert (warm.sampled, warm.pending, warm.previous_pending) == (CURRENT_POSTS, 0, 0)
    top = warm.themes[0]
    assert set(top.mention_ids) == {m.id for m in stream}
    assert top.previous_size == len(PREVIOUS_PLANTED)
