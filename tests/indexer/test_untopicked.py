"""The negative mentions without a topic, on the real local Elasticsearch: only negative,
untopicked, not deleted posts of the period about the brands asked for, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch, helpers

from core import Author, BrandMatch, IndexedMention, IndexNames, Sentiment, SentimentLabel
from indexer import install_templates, untopicked_negatives

pytestmark = pytest.mark.elasticsearch

START = datetime(2026, 11, 8, tzinfo=UTC)
END = START + timedelta(days=7)
HOSHI, NAMI = "Hoshi Mobile", "Nami Telecom"


def post(
    native_id: str,
    hours: float,
    *,
    label: SentimentLabel | None = "negative",
    topics: tuple[str, ...] = (),
    brands: tuple[str, ...] = (HOSHI,),
    deleted: bool = False,
) -> IndexedMention:
    published = START + timedelta(hours=hours)
    return IndexedMention(
        source="bluesky",
        native_id=native_id,
        text=f"post {native_id}",
        lang="en",
        author=Author(handle=f"author-{native_id}", followers=3),
        published_at=published,
        collected_at=published,
        deleted=deleted,
        brands=[BrandMatch(brand=brand, role="own", tagged=False) for brand in brands],
        matched_no_brand=not brands,
        sentiment=None
        if label is None
        else Sentiment(label=label, score=0.9, probabilities={label: 0.9}, model="test"),
        topics=list(topics),
    )


def seed(es: Elasticsearch, names: IndexNames, mentions: list[IndexedMention]) -> None:
    install_templates(es, names)
    helpers.bulk(
        es,
        (
            {
                "_index": names.mention_index(m.published_at),
                "_id": m.id,
                "_source": m.model_dump(mode="json", exclude_none=True),
            }
            for m in mentions
        ),
        refresh=True,
    )


WANTED = [post("oldest", 0), post("middle", 50), post("newest", 167), post("late-night", 100)]
NOISE = [
    post("topicked", 60, topics=("billing",)),
    post("positive", 61, label="positive"),
    post("neutral", 62, label="neutral"),
    post("unscored", 63, label=None),
    post("deleted", 64, deleted=True),
    post("before", -1),
    post("at-the-end", 168),
]
OTHER_BRANDS = [post("nami", 70, brands=(NAMI,)), post("no-brand", 71, brands=())]


def test_only_the_periods_untopicked_negatives_about_the_brands_newest_first(
    es: Elasticsearch, index_names: IndexNames
) -> None:
    seed(es, index_names, WANTED + NOISE + OTHER_BRANDS)
    found = untopicked_negatives(es, index_names, start=START, end=END, brands=[HOSHI])
    assert [m.native_id for m in found.mentions] == ["newest", "late-night", "middle", "oldest"]
    assert found.total == 4
    assert found.mentions[0].author.handle == "author-newest"

    every_brand = untopicked_negatives(es, index_names, start=START, end=END)
    assert {m.native_id for m in every_brand.mentions} == {
        m.native_id for m in WANTED + OTHER_BRANDS
    }


def test_the_limit_keeps_the_newest_and_the_total_counts_all(
    es: Elasticsearch, index_names: IndexNames
) -> None:
    seed(es, index_names, WANTED)
    found = untopicked_negatives(es, index_names, start=START, end=END, brands=[HOSHI], limit=2)
    assert [m.native_id for m in found.mentions] == ["newest", "late-night"]
    assert found.total == 4


def test_no_index_yet_no_mentions(es: Elasticsearch, index_names: IndexNames) -> None:
    found = untopicked_negatives(es, index_names, start=START, end=END)
    assert found.mentions == [] and found.total == 0
