"""Rising themes on the seeded stream: the planted English and Japanese terms are found
among the top results, with example posts; against the real local Elasticsearch."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from core import IndexNames
from indexer import rising_themes, theme_label
from tests.indexer.trends.conftest import HOSHI, SCOPE

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


def test_theme_labels_drop_the_space_inside_japanese_only() -> None:
    assert theme_label("圏 外") == "圏外"
    assert theme_label("ほし モバイル") == "ほしモバイル"
    assert theme_label("roaming fees") == "roaming fees"
    assert theme_label("hoshi 圏") == "hoshi 圏"
