"""The digest's figures on the seeded stream, whose answers are known (see
``tests/indexer/trends/conftest.py``), against the real local Elasticsearch."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from alerts import Outbox
from config import Settings
from core import IndexNames
from kikimimi.digest import DigestSchedule, DigestSources, build_digest
from tests.indexer.trends.conftest import HOSHI, KAZE, NAMI, WEEK
from tests.kikimimi.digest.conftest import FIRE, SPIKE_END

pytestmark = pytest.mark.elasticsearch


def test_volume_sentiment_and_share_of_voice_per_brand(
    settings: Settings, sources: DigestSources, schedule: DigestSchedule
) -> None:
    digest = build_digest(settings, settings.digests[0], schedule.period_of(FIRE), sources)

    assert (digest.start, digest.end) == (WEEK, FIRE.replace(hour=0))
    assert [(b.brand, b.role) for b in digest.brands] == [
        (HOSHI, "own"),
        (NAMI, "competitor"),
        (KAZE, "competitor"),
    ]
    hoshi, nami, kaze = digest.brands
    assert (hoshi.posts.current, hoshi.posts.previous, hoshi.posts.ratio) == (60, 40, 0.5)
    assert (nami.posts.current, nami.posts.previous) == (30, 40)
    assert (kaze.posts.current, kaze.posts.previous) == (10, 20)
    assert hoshi.daily == [9, 9, 9, 9, 8, 8, 8]  # the n-th post on day n % 7
    assert sum(kaze.daily) == 10
    assert hoshi.net == pytest.approx((20 - 30) / 60)
    assert hoshi.previous_net == pytest.approx((20 - 10) / 40)
    assert hoshi.share.all_posts.share == pytest.approx(0.6)
    assert hoshi.share.all_posts.change == pytest.approx(0.2)
    assert hoshi.share.negative_posts.share == pytest.approx(30 / 40)
    assert hoshi.share.negative_posts.change == pytest.approx(0.75 - 0.5)
    assert digest.own is not None
    assert digest.own.all_posts.share == pytest.approx(0.6)


def test_top_topics_and_rising_themes_with_an_example_each(
    settings: Settings, sources: DigestSources, schedule: DigestSchedule
) -> None:
    digest = build_digest(settings, settings.digests[0], schedule.period_of(FIRE), sources)

    assert [(t.brand, t.topic, t.posts.current, t.posts.previous) for t in digest.topics] == [
        (HOSHI, "outage", 25, 5),
        (HOSHI, "billing", 10, 10),
    ]
    outage = digest.topics[0]
    assert outage.negative == 25
    assert outage.example is not None
    assert outage.example.source in ("bluesky", "mastodon")
    assert outage.example.url is None  # the seeded URLs hold a space: never linked
    terms = [theme.term for theme in digest.themes]
    assert "roaming" in terms
    assert "圏外" in terms
    roaming = digest.themes[terms.index("roaming")]
    assert (roaming.posts, roaming.previous_posts) == (15, 0)
    assert roaming.example is not None
    assert "roaming" in roaming.example.text


def test_spikes_of_the_week_about_the_audiences_brands(
    settings: Settings, sources: DigestSources, schedule: DigestSchedule
) -> None:
    digest = build_digest(settings, settings.digests[0], schedule.period_of(FIRE), sources)

    (spike,) = digest.spikes
    assert (spike.brand, spike.window_end, spike.count, spike.baseline) == (
        HOSHI,
        SPIKE_END,
        30,
        2.0,
    )
    assert spike.why.startswith(f"30 negative mentions of {HOSHI} in the last 60 min")


def test_care_kpis_as_the_report_computes_them(
    settings: Settings, sources: DigestSources, schedule: DigestSchedule
) -> None:
    digest = build_digest(settings, settings.digests[0], schedule.period_of(FIRE), sources)

    (care,) = digest.care
    assert care.brand is None  # every brand, as `kikimimi report` without --brand
    tiles = {tile.label: tile for tile in care.tiles}
    assert tiles["Cases opened"].value == "4"
    assert tiles["Response rate"].value == "75.0%"
    assert tiles["First response (median)"].value == "30 min"


def test_an_audience_of_named_brands(
    settings: Settings, sources: DigestSources, schedule: DigestSchedule
) -> None:
    audience = settings.digests[0].model_copy(update={"brands": [NAMI, HOSHI]})

    digest = build_digest(settings, audience, schedule.period_of(FIRE), sources)

    assert [b.brand for b in digest.brands] == [HOSHI, NAMI]  # configured order, ours first
    assert digest.brands[0].share.all_posts.share == pytest.approx(60 / 90)
    (care,) = digest.care
    assert care.brand == HOSHI
    assert {t.label: t.value for t in care.tiles}["Cases opened"] == "3"
    competitors = audience.model_copy(update={"brands": [NAMI]})
    only_nami = build_digest(settings, competitors, schedule.period_of(FIRE), sources)
    assert (only_nami.own, only_nami.care) == (None, [])


def test_a_digest_before_anything_was_indexed(
    settings: Settings, es: Elasticsearch, index_names: IndexNames, outbox: Outbox
) -> None:
    sources = DigestSources.for_settings(settings, es, outbox)
    schedule = DigestSchedule(settings.digests[0])

    digest = build_digest(settings, settings.digests[0], schedule.period_of(FIRE), sources)

    assert [b.posts.current for b in digest.brands] == [0, 0, 0]
    assert digest.brands[0].daily == [0] * 7
    assert (digest.topics, digest.themes) == ([], [])
    assert len(digest.spikes) == 1
