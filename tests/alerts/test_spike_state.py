"""The spike detector's state survives a restart in a file, and a take-over on another machine
in Redis: the new leader confirms the spike its predecessor began and keeps its cooldown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from alerts.spike_state import BrandSpikeState, FileSpikeState, RedisSpikeState, SpikeState
from alerts.spikes import SpikeDetector
from config import SpikeSettings
from core.index_names import IndexNames
from core.redis_boundary import redis_client
from tests.indexer.test_untopicked import seed
from tests.indexer.trends.conftest import HOSHI, mention
from tests.redis_server import RedisServer

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def stores(kind: str, tmp_path: Path, redis_url: str, prefix: str) -> SpikeState:
    if kind == "file":
        return FileSpikeState(tmp_path / "spikes" / "state.json")
    return RedisSpikeState(redis_client(redis_url), prefix)


@pytest.mark.redis
@pytest.mark.parametrize("kind", ["file", "redis"])
def test_a_saved_state_reads_back_in_a_new_store(
    kind: str, tmp_path: Path, redis_server: RedisServer, redis_prefix: str
) -> None:
    assert stores(kind, tmp_path, redis_server.url, redis_prefix).load() == {}
    saved = {HOSHI: BrandSpikeState(2, NOW.isoformat()), "ほしモバイル": BrandSpikeState(1)}
    stores(kind, tmp_path, redis_server.url, redis_prefix).save(saved)
    assert stores(kind, tmp_path, redis_server.url, redis_prefix).load() == saved


@pytest.fixture
def spiking(es: Elasticsearch, index_names: IndexNames) -> Iterator[IndexNames]:
    """Twelve negative posts about Hoshi Mobile in the hour before :data:`NOW`, none before."""
    posts = [
        mention(f"spike-{n}", "no signal again", NOW - timedelta(minutes=5 + n), HOSHI, "negative")
        for n in range(12)
    ]
    seed(es, index_names, posts)
    yield index_names


@pytest.mark.elasticsearch
@pytest.mark.redis
def test_a_leader_on_another_machine_goes_on_with_the_streak_and_the_cooldown(
    es: Elasticsearch, spiking: IndexNames, redis_server: RedisServer, redis_prefix: str
) -> None:
    settings = SpikeSettings(confirm_windows=2)

    def leader() -> SpikeDetector:  # each a detector of a new leader, sharing only Redis
        state = RedisSpikeState(redis_client(redis_server.url), redis_prefix)
        return SpikeDetector(es, spiking, settings, [HOSHI], state)

    first = leader()
    assert first.evaluate(NOW) == [], "one spiking window: not confirmed yet"
    first.commit()

    second = leader()
    [alert] = second.evaluate(NOW + timedelta(seconds=1))
    assert alert.count == 12 and alert.confirmed_windows == 2
    second.commit()

    assert leader().evaluate(NOW + timedelta(seconds=2)) == [], "cooling down: no repeat"
