"""The Redis lease on a real ``redis-server``: two owners of one key, a short time to live."""

from __future__ import annotations

import time

import pytest

from core.errors import RedisUnavailableError
from core.redis_boundary import redis_client
from core.redis_lease import RedisLease
from tests.conftest import MakeRedisServer
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis

TTL = 0.4


def lease(server: RedisServer, prefix: str, owner: str, ttl: float = TTL) -> RedisLease:
    return RedisLease(redis_client(server.url, timeout_seconds=2), f"{prefix}:lease", owner, ttl)


def test_one_owner_at_a_time_renewed_while_held_taken_over_once_it_runs_out(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    first, second = (lease(redis_server, redis_prefix, o) for o in ("first", "second"))
    assert first.acquire()
    assert not second.acquire(), "held by the first"
    assert not second.renew(), "a renewal is no way in"
    holder = first.holder()
    assert holder is not None and holder.owner == "first" and 0 < holder.expires_in <= TTL

    for _ in range(4):  # renewed every half lease: held well past its first expiry
        time.sleep(TTL / 2)
        assert first.renew()
        assert not second.acquire()
    assert first.acquire(), "acquiring what one holds renews it"

    time.sleep(TTL * 1.5)  # the first stops renewing (it died)
    assert first.holder() is None
    assert second.acquire(), "taken over once it ran out"
    assert not first.renew(), "the old owner's renewal does not take it back"
    assert not first.release(), "nor does its release delete the new owner's lease"
    holder = second.holder()
    assert holder is not None and holder.owner == "second"
    for each in (first, second):
        each.client.close()


def test_a_release_gives_it_to_the_next_at_once_and_only_the_owner_releases(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    first, second = (lease(redis_server, redis_prefix, o, ttl=60) for o in ("first", "second"))
    assert first.acquire()
    assert not second.release()
    assert first.holder() is not None
    assert first.release()
    assert first.holder() is None
    assert second.acquire()
    assert not first.release()
    for each in (first, second):
        each.client.close()


def test_redis_away_is_one_clear_error(make_redis_server: MakeRedisServer) -> None:
    server = make_redis_server()
    held = lease(server, "kk", "first")
    assert held.acquire()
    server.stop()
    with pytest.raises(RedisUnavailableError, match=r"renew the lease kk:lease"):
        held.renew()
    held.client.close()
