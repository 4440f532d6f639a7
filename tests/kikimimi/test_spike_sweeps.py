"""A spike sweep whose state store (Redis) is away fails with one warning and queues nothing;
the next sweep, with Redis back, runs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from alerts.spike_state import RedisSpikeState
from alerts.spikes import SpikeDetector
from config import SpikeSettings
from core.index_names import IndexNames
from core.records import Notice
from core.redis_boundary import redis_client
from kikimimi.spike_sweeps import SpikeSweeps
from tests.conftest import MakeRedisServer

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Queued:
    def __init__(self) -> None:
        self.notices: list[Notice] = []

    def enqueue(self, notices: Iterable[Notice]) -> int:
        new = list(notices)
        self.notices.extend(new)
        return len(new)


@pytest.mark.elasticsearch
@pytest.mark.redis
def test_redis_away_fails_one_sweep_with_a_warning(
    es: Elasticsearch,
    index_names: IndexNames,
    make_redis_server: MakeRedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = make_redis_server()
    state = RedisSpikeState(redis_client(server.url, timeout_seconds=1, retries=0), "kk")
    detector = SpikeDetector(es, index_names, SpikeSettings(), ["Hoshi Mobile"], state)
    sweeps = SpikeSweeps(detector, Queued(), ["care"], every_seconds=0, clock=lambda: NOW)
    server.stop()
    with caplog.at_level(logging.WARNING, logger="kikimimi"):
        assert sweeps.run_when_due() is None
    [line] = caplog.records
    assert line.getMessage().startswith("spike sweep failed:")
    assert "spike detector's state" in line.getMessage() and line.exc_info is None
    server.restart()
    assert sweeps.run_when_due() == 0, "no mentions: no spike, but the sweep ran"
    assert state.load()["Hoshi Mobile"].streak == 0, "the sweep saved its state"
