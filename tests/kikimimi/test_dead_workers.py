"""A pipeline worker without a heartbeat is dead: the living give its claims to the others at
once (not after the claim's lease), and leave the claims of the living alone."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from core.records import Mention
from core.redis_boundary import redis_client
from core.redis_mention_queue import RedisMentionQueue
from core.redis_workers import RedisWorkerRegistry, WorkerBeat
from kikimimi.dead_workers import DeadWorkerReaper
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis

CLAIM_LEASE = 300.0


def beat(name: str) -> WorkerBeat:
    return WorkerBeat(name, "pipeline", "host-a", 1, time.time(), time.time())


def test_the_claims_of_a_worker_without_heartbeat_go_to_the_living_at_once(
    redis_server: RedisServer, redis_prefix: str, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = RedisMentionQueue(redis_client(redis_server.url), redis_prefix)
    registry = RedisWorkerRegistry(redis_client(redis_server.url), redis_prefix, 0.6)
    queue.put(make_mentions(12))
    for name in ("alive", "dying", "me"):
        registry.beat(beat(name))
    assert queue.claim("alive", 4, CLAIM_LEASE)
    dying = queue.claim("dying", 4, CLAIM_LEASE)
    assert queue.claim("me", 4, CLAIM_LEASE), "the reaper's own claims are its own business"
    reaper = DeadWorkerReaper(queue, registry, "me")
    assert reaper.run_when_due() == 0, "everyone beats"

    for _ in range(4):  # "dying" was killed: only the others beat on
        time.sleep(0.2)
        registry.beat(beat("alive"))
        registry.beat(beat("me"))
    assert reaper.run_when_due() == 4
    assert reaper.run_when_due() == 0, "not due again before a third of the timeout"
    taken = queue.claim("me", 10, CLAIM_LEASE)
    assert {c.receipt for c in taken} == {c.receipt for c in dying}, "only the dead one's"
    group = queue.group()
    assert {c.name: c.pending for c in group.consumers} == {"alive": 4, "me": 8}
    queue.close()
    registry.client.close()
