"""Rising themes on the seeded stream: the planted English and Japanese terms are found
among the top results, with example posts; against the real local Elasticsearch."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from elasticsearch import Elasticsearch, helpers

from core import IndexNames
from indexer import install_templates, rising_themes, theme_label
from tests.indexer.trends.conftest import EN_WORDS, HOSHI, JA_WORDS, SCOPE, mention

pytestmark = pytest.mark.elasticsearch


def test_planted_terms_rise_in_english_and_japanese(es: Elasticsearch, seeded: IndexNames) -> None:
    found = rising_themes(es, seeded, SCOPE)

    terms = [theme.term for theme in found.themes]
    assert "roaming" in terms[:5], terms
    assert "圏外" in terms[:5], terms
    roaming = found.themes[terms.index("roaming")]
    assert (roaming.posts, roaming.previous_posts) == (15, 0)
    assert roaming.key == "roaming"
    assert found.sampled == 100
    assert found.previous_total == 100
    assert found.themes == sorted(found.themes, key=lambda t: -t.score)


def test_each_theme_has_example_posts_of_the_period(es: Elasticsearch, seeded: IndexNames) -> None:
    found = rising_themes(es, seeded, SCOPE, examples=3)

    japanese = next(theme for theme in found.themes if theme.term == "圏外")
    assert japanese.key == "圏 外"
    assert len(japanese.examples) == 3
    for post in japanese.examples:
        assert "圏外" in post.text
        assert [m.brand for m in post.brands] == [HOSHI]
        assert SCOPE.start <= post.published_at < SCOPE.end
    followers = [post.author.followers or 0 for post in japanese.examples]
    assert followers == sorted(followers, reverse=True)


def test_a_quiet_period_has_no_themes(es: Elasticsearch, seeded: IndexNames) -> None:
    later = SCOPE.model_copy(
        update={"start": SCOPE.end, "end": SCOPE.end + (SCOPE.end - SCOPE.start)}
    )

    found = rising_themes(es, seeded, later)

    assert (found.sampled, found.previous_total, found.themes) == (0, 100, [])


def test_function_words_and_japanese_endings_never_rise(
    es: Elasticsearch, index_names: IndexNames
) -> None:
    rng = random.Random(7)
    english = ["it is", "and the", "what", "refund"]
    japanese = ["した", "です", "ませ", "返金"]
    posts = [
        mention(
            f"p{n}",
            " ".join(rng.sample(rng.sample(EN_WORDS, 4) + english, 8))
            if n % 2 == 0
            else "".join(rng.sample(rng.sample(JA_WORDS, 4) + japanese, 8)),
            SCOPE.start + timedelta(hours=n),
            HOSHI,
            "negative",
        )
        for n in range(30)
    ] + [
        mention(
            f"before{n}",
            " ".join(rng.sample(EN_WORDS, 5)) if n % 2 == 0 else "".join(rng.sample(JA_WORDS, 5)),
            SCOPE.previous_start + timedelta(hours=n),
            HOSHI,
            "negative",
        )
        for n in range(30)
    ]
    install_templates(es, index_names)
    helpers.bulk(
        es,
        (
            {"_index": index_names.mention_index(p.published_at), "_id": p.id}
            | {"_source": p.model_dump(mode="json")}
            for p in posts
        ),
        refresh=True,
    )

    terms = [theme.term for theme in rising_themes(es, index_names, SCOPE, size=30).themes]

    assert "refund" in terms, terms
    assert "返金" in terms, terms
    for common in ("it", "is", "it is", "and the", "what", "した", "です", "ませ"):
        assert common not in terms, terms


def test_the_brands_own_words_never_rise(es: Elasticsearch, seeded: IndexNames) -> None:
    names = ["Roaming Co", "圏外モバイル"]

    terms = [t.term for t in rising_themes(es, seeded, SCOPE, excluded_names=names).themes]

    assert terms, "other words still rise"
    assert not {"roaming", "圏外"} & set(terms), terms


def test_theme_labels_drop_the_space_inside_japanese_only() -> None:
    assert theme_label("圏 外") == "圏外"
    assert theme_label("ほし モバイル") == "ほしモバイル"
    assert theme_label("roaming fees") == "roaming fees"
    assert theme_label("hoshi 圏") == "hoshi 圏"
