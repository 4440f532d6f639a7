"""Volume, share of voice and net sentiment on the seeded stream (answers known: see the
conftest), against the real local Elasticsearch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from core import IndexNames
from indexer import (
    BUCKET_LENGTH,
    Bucket,
    TrendScope,
    net_sentiment,
    share_of_voice,
    volume_trend,
)
from tests.indexer.trends.conftest import (
    BRANDS,
    HOSHI,
    KAZE,
    NAMI,
    SCOPE,
    WEEK,
    seeded_mentions,
)

pytestmark = pytest.mark.elasticsearch


def test_volume_by_brand_and_sentiment_against_the_previous_week(
    es: Elasticsearch, seeded: IndexNames
) -> None:
    trend = volume_trend(es, seeded, SCOPE)

    assert trend.period.previous_start == WEEK - timedelta(days=7)
    by_brand = {b.brand: b for b in trend.brands}
    assert [b.brand for b in trend.brands] == [HOSHI, NAMI, KAZE]
    hoshi = by_brand[HOSHI]
    assert hoshi.role == "own"
    current, previous = hoshi.current, hoshi.previous
    assert (current.total, current.positive, current.neutral, current.negative) == (60, 20, 10, 30)
    assert (previous.total, previous.positive, previous.neutral, previous.negative) == (
        40,
        20,
        10,
        10,
    )
    assert hoshi.change.difference == 20
    assert hoshi.change.ratio == pytest.approx(0.5)
    kaze = by_brand[KAZE]
    assert (kaze.current.total, kaze.current.unlabelled) == (10, 2)
    assert kaze.change.difference == -10
    assert kaze.change.ratio == pytest.approx(-0.5)
    assert by_brand[NAMI].role == "competitor"


def test_series_have_one_bucket_per_day_from_the_period_start(
    es: Elasticsearch, seeded: IndexNames
) -> None:
    hoshi = volume_trend(es, seeded, SCOPE).brands[0]

    assert [p.at for p in hoshi.series] == [WEEK + timedelta(days=d) for d in range(7)]
    assert [p.counts.total for p in hoshi.series] == [9, 9, 9, 9, 8, 8, 8]
    assert sum(p.counts.negative for p in hoshi.series) == 30
    previous_days = [WEEK - timedelta(days=7 - d) for d in range(7)]
    assert [p.at for p in hoshi.previous_series] == previous_days
    assert [p.counts.total for p in hoshi.previous_series] == [6, 6, 6, 6, 6, 5, 5]


def test_buckets_follow_the_start_of_a_period_in_another_time_zone(
    es: Elasticsearch, seeded: IndexNames
) -> None:
    tokyo_midnight = datetime.fromisoformat("2026-11-08T00:00:00+09:00")
    scope = TrendScope(
        start=tokyo_midnight, end=tokyo_midnight + timedelta(days=2), bucket="hour", brands=BRANDS
    )

    series = volume_trend(es, seeded, scope).brands[0].series

    assert len(series) == 48
    assert series[0].at == datetime(2026, 11, 7, 15, tzinfo=UTC)
    in_range = [
        m
        for m in seeded_mentions()
        if scope.start <= m.published_at < scope.end and m.brands[0].brand == HOSHI
        if not m.deleted
    ]
    assert sum(p.counts.total for p in series) == len(in_range)


@pytest.mark.parametrize("bucket", ["day", "week"])
def test_a_period_not_starting_on_the_interval_has_no_bucket_past_its_end(
    es: Elasticsearch, seeded: IndexNames, bucket: Bucket
) -> None:
    start = WEEK - timedelta(days=14) + timedelta(hours=4)
    scope = TrendScope(start=start, end=start + timedelta(days=14), bucket=bucket, brands=BRANDS)

    hoshi = volume_trend(es, seeded, scope).brands[0]

    length = BUCKET_LENGTH[bucket]
    assert [p.at for p in hoshi.series] == [start + n * length for n in range(14 // length.days)]
    previous = [scope.previous_start + n * length for n in range(14 // length.days)]
    assert [p.at for p in hoshi.previous_series] == previous


def test_share_of_voice_of_all_and_of_negative_posts(es: Elasticsearch, seeded: IndexNames) -> None:
    voice = share_of_voice(es, seeded, SCOPE)

    shares = {b.brand: b for b in voice.brands}
    hoshi = shares[HOSHI]
    assert (hoshi.all_posts.posts, hoshi.all_posts.previous_posts) == (60, 40)
    assert hoshi.all_posts.share == pytest.approx(0.6)
    assert hoshi.all_posts.previous_share == pytest.approx(0.4)
    assert hoshi.all_posts.change == pytest.approx(0.2)
    assert hoshi.negative_posts.share == pytest.approx(0.75)  # 30 of 40
    assert hoshi.negative_posts.previous_share == pytest.approx(0.5)  # 10 of 20
    assert shares[NAMI].all_posts.share == pytest.approx(0.3)
    assert shares[KAZE].negative_posts.share == pytest.approx(0.1)
    assert shares[KAZE].negative_posts.previous_share == pytest.approx(0.0)
    assert voice.own.all_posts.share == pytest.approx(0.6)
    assert voice.competitors.all_posts.share == pytest.approx(0.4)
    assert voice.competitors.negative_posts.posts == 10
    assert voice.competitors.all_posts.change == pytest.approx(-0.2)


def test_net_sentiment_per_brand(es: Elasticsearch, seeded: IndexNames) -> None:
    sentiment = {b.brand: b for b in net_sentiment(es, seeded, SCOPE).brands}

    assert sentiment[HOSHI].net == pytest.approx((20 - 30) / 60)
    assert sentiment[HOSHI].previous_net == pytest.approx((20 - 10) / 40)
    assert sentiment[HOSHI].change == pytest.approx(-1 / 6 - 0.25)
    assert sentiment[NAMI].net == pytest.approx(0.2)
    assert sentiment[KAZE].net == pytest.approx(-0.2)  # the 2 unscored posts count in the total


def test_a_period_without_posts_has_zero_counts_and_empty_buckets(
    es: Elasticsearch, seeded: IndexNames
) -> None:
    later = SCOPE.model_copy(
        update={"start": WEEK + timedelta(days=60), "end": WEEK + timedelta(days=62)}
    )

    trend = volume_trend(es, seeded, later)
    voice = share_of_voice(es, seeded, later)

    assert all(b.current.total == 0 and b.change.ratio is None for b in trend.brands)
    assert [p.counts.total for p in trend.brands[0].series] == [0, 0]
    assert voice.own.all_posts.share is None


def test_no_index_yet_answers_nothing(es: Elasticsearch, index_names: IndexNames) -> None:
    trend = volume_trend(es, index_names, SCOPE)

    assert [b.current.total for b in trend.brands] == [0, 0, 0]
    assert trend.brands[0].series == []
