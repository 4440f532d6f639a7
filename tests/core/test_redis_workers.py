"""Worker heartbeats on a real ``redis-server``: alive while beating, gone after the timeout
or at once when leaving."""

from __future__ import annotations

import time

import pytest

from core.redis_boundary import redis_client
from core.redis_workers import RedisWorkerRegistry, WorkerBeat
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis

TIMEOUT = 0.5


def beat(name: str, role: str, processed: int = 0) -> WorkerBeat:
    now = time.time()
    return WorkerBeat(name, role, "host-a", 1234, now - 60, now, processed)


def test_workers_are_alive_while_they_beat_and_gone_after_the_timeout_or_leaving(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    registry = RedisWorkerRegistry(redis_client(redis_server.url), redis_prefix, TIMEOUT)
    registry.beat(beat("p-2", "pipeline", processed=40))
    registry.beat(beat("p-1", "pipeline"))
    registry.beat(beat("s-1", "scheduler"))
    assert [(w.role, w.name) for w in registry.alive()] == [
        ("pipeline", "p-1"),
        ("pipeline", "p-2"),
        ("scheduler", "s-1"),
    ]
    second = registry.alive()[1]
    assert (second.host, second.pid, second.processed) == ("host-a", 1234, 40)

    registry.leave("s-1")
    for _ in range(3):  # only p-1 keeps beating
        time.sleep(TIMEOUT / 2)
        registry.beat(beat("p-1", "pipeline"))
    assert [w.name for w in registry.alive()] == ["p-1"]
    assert registry.client.smembers(registry.index) == {"p-1"}, "the gone leave the list"
    registry.client.close()
