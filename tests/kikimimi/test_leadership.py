"""Keeping a lease on a real ``redis-server``: one keeper leads, another takes over when it
stops or dies, and a keeper that loses its lease (taken, or Redis away past its expiry) says
so at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from redis import Redis

from core.redis_boundary import redis_client
from core.redis_lease import RedisLease
from kikimimi.leadership import LeaseKeeper
from tests.conftest import MakeRedisServer
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis

TTL = 1.0


class Watched:
    """A keeper and the times its callbacks ran."""

    def __init__(self, server: RedisServer, key: str, owner: str) -> None:
        client = redis_client(server.url, timeout_seconds=TTL / 10, retries=0)
        self.gained = threading.Event()
        self.lost = threading.Event()
        self.lost_at = 0.0
        self.keeper = LeaseKeeper(
            RedisLease(client, key, owner, TTL), on_gained=self.gained.set, on_lost=self._lost
        )

    def _lost(self) -> None:
        self.lost_at = time.monotonic()
        self.lost.set()

    def close(self) -> None:
        self.keeper.stop()
        self.keeper.lease.client.close()


@pytest.fixture
def watched() -> Iterator[list[Watched]]:
    made: list[Watched] = []
    yield made
    for each in made:
        each.close()


def test_one_leads_and_another_takes_over_when_it_stops(
    redis_server: RedisServer, redis_prefix: str, watched: list[Watched]
) -> None:
    key = f"{redis_prefix}:leader"
    first, second = Watched(redis_server, key, "first"), Watched(redis_server, key, "second")
    watched += [first, second]
    assert first.keeper.try_once() and first.gained.is_set()
    assert not second.keeper.try_once()
    first.keeper.start()
    second.keeper.start()
    time.sleep(TTL * 2.5)  # renewed all along: the second never gets in
    assert first.keeper.holds() and not first.lost.is_set()
    assert not second.gained.is_set()

    stopped = time.monotonic()
    first.keeper.stop()  # gives the lease back
    assert second.gained.wait(TTL), "taken over within the lease"
    print(f"taken over {time.monotonic() - stopped:.2f} s after the release")
    assert second.keeper.holds() and not first.keeper.holds()


def test_the_next_takes_over_just_when_a_dead_holders_lease_runs_out(
    redis_server: RedisServer, redis_prefix: str, watched: list[Watched]
) -> None:
    key = f"{redis_prefix}:leader"
    dead = RedisLease(redis_client(redis_server.url), key, "dead", TTL)
    assert dead.acquire()  # and never renews: it died
    died = time.monotonic()
    heir = Watched(redis_server, key, "heir")
    watched.append(heir)
    heir.keeper.start()
    assert heir.gained.wait(TTL * 2)
    took = time.monotonic() - died
    assert TTL * 0.9 < took < TTL * 1.3, f"taken over {took:.2f} s after the last renewal"
    dead.client.close()


def test_a_keeper_whose_lease_is_taken_loses_it_at_its_next_renewal(
    redis_server: RedisServer, redis_prefix: str, watched: list[Watched]
) -> None:
    key = f"{redis_prefix}:leader"
    keeper = Watched(redis_server, key, "keeper")
    watched.append(keeper)
    assert keeper.keeper.try_once()
    keeper.keeper.start()
    with Redis.from_url(redis_server.url) as other:
        other.set(key, "usurper", px=60_000)
    assert keeper.lost.wait(TTL / 2), "lost at the next renewal (a third of the lease)"
    assert not keeper.keeper.holds()


def test_a_keeper_that_cannot_reach_redis_loses_its_lease_when_it_runs_out(
    make_redis_server: MakeRedisServer, watched: list[Watched]
) -> None:
    server = make_redis_server()
    keeper = Watched(server, "kk:leader", "keeper")
    watched.append(keeper)
    assert keeper.keeper.try_once()
    renewed = time.monotonic()
    keeper.keeper.start()
    server.kill()
    assert keeper.lost.wait(TTL * 2)
    # Its last renewal came at most a third of the lease after the first one.
    after = keeper.lost_at - renewed
    assert TTL * 0.95 < after < TTL * (1 + 1 / 3) + 0.2, f"lost {after:.2f} s after"
    assert not keeper.keeper.holds()


def test_a_keeper_that_fails_to_take_over_gives_the_lease_back(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    key = f"{redis_prefix}:leader"
    undone: list[str] = []

    def fail() -> None:
        raise OSError("the schedule's job store is not writable")

    lease = RedisLease(redis_client(redis_server.url), key, "keeper", TTL)
    keeper = LeaseKeeper(lease, on_gained=fail, on_lost=lambda: undone.append("undone"))
    assert not keeper.try_once()
    assert undone == ["undone"] and lease.holder() is None, "free for another to lead"
    lease.client.close()
