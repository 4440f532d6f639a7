"""The Redis mention queue on a real ``redis-server``: a worker killed in the middle of a
batch, an outage, a killed server with append-only persistence, a server that lost its
data, and a stream that holds only what is not yet acknowledged. (What both backends do
alike is tested in ``test_mention_queue.py``.)"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from redis import Redis

from core.errors import KikimimiError, RedisUnavailableError
from core.mention_queue import MentionQueue
from core.records import Mention
from core.redis_boundary import redis_client
from core.redis_mention_queue import GROUP, RedisMentionQueue
from tests.conftest import MakeRedisServer
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis

LEASE = 1.0


def open_queue(server: RedisServer, prefix: str = "kk") -> RedisMentionQueue:
    return RedisMentionQueue(redis_client(server.url, timeout_seconds=2), prefix)


def drain(queue: MentionQueue, consumer: str, lease: float = LEASE) -> list[str]:
    """Claim and acknowledge everything claimable now; the native ids processed."""
    done: list[str] = []
    while claimed := queue.claim(consumer, 50, lease):
        queue.ack([c.receipt for c in claimed])
        done += [c.mention.native_id for c in claimed]
    return done


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_redoes_only_that_batch(
    redis_server: RedisServer, redis_prefix: str, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = RedisMentionQueue(redis_client(redis_server.url), redis_prefix)
    queue.put(make_mentions(300))
    worker = f"""
import os
from core.redis_boundary import redis_client
from core.redis_mention_queue import RedisMentionQueue
queue = RedisMentionQueue(redis_client({redis_server.url!r}), {redis_prefix!r})
for batch in range(3):
    claimed = queue.claim("worker-1", 50, {LEASE})
    print(" ".join(c.mention.native_id for c in claimed), flush=True)
    if batch == 2:
        os.kill(os.getpid(), 9)  # in the middle of its third batch
    queue.ack([c.receipt for c in claimed])
"""
    process = subprocess.run(
        [sys.executable, "-c", worker], capture_output=True, text=True, timeout=60, check=False
    )
    assert process.returncode == -9, process.stderr
    *acked, lost = [line.split() for line in process.stdout.splitlines()]
    assert len(lost) == 50

    claimed_at = time.monotonic()
    rest = drain(queue, "worker-2")  # the dead worker's batch is still leased
    assert len(rest) == 150 and not set(rest) & set(lost)
    time.sleep(max(LEASE - (time.monotonic() - claimed_at), 0) + 0.2)
    taken_over = queue.claim("worker-2", 100, LEASE)
    assert [c.mention.native_id for c in taken_over] == lost
    assert {c.deliveries for c in taken_over} == {2}
    queue.ack([c.receipt for c in taken_over])

    processed = [*acked[0], *acked[1], *rest, *lost]
    assert sorted(processed, key=int) == [str(i) for i in range(300)], "each exactly once"
    assert (queue.depth(), queue.dead_letter_count()) == (0, 0)
    queue.close()


def test_an_outage_is_one_clear_error_and_nothing_is_lost(
    make_redis_server: MakeRedisServer, make_mentions: Callable[..., list[Mention]]
) -> None:
    server = make_redis_server(appendonly=True)
    queue = open_queue(server)
    mentions = make_mentions(10)
    queue.put(mentions[:8])
    claimed = queue.claim("pipeline", 4, LEASE)
    queue.ack([c.receipt for c in claimed[:2]])
    server.stop()

    for attempt in (
        lambda: queue.put(mentions[8:]),
        lambda: queue.claim("pipeline", 10, LEASE),
        lambda: queue.ack([c.receipt for c in claimed[2:]]),
        queue.depth,
    ):
        with pytest.raises(RedisUnavailableError) as raised:
            attempt()
        assert isinstance(raised.value, KikimimiError)
        message = str(raised.value)
        assert "the mention queue (Redis stream kk:mentions)" in message, message
        assert "Redis is unavailable: ConnectionError" in message, message

    server.start()
    assert queue.depth() == 6, "the two acknowledged are gone, nothing else"
    queue.put(mentions[8:])
    time.sleep(LEASE)
    again = queue.claim("pipeline", 10, LEASE)
    assert [c.mention for c in again] == [c.mention for c in claimed[2:]] + mentions[4:]
    assert [c.deliveries for c in again] == [2, 2, 1, 1, 1, 1, 1, 1]
    queue.close()


def test_a_killed_redis_with_append_only_persistence_keeps_exactly_what_was_not_acknowledged(
    make_redis_server: MakeRedisServer, make_mentions: Callable[..., list[Mention]]
) -> None:
    server = make_redis_server(appendonly=True)
    queue = open_queue(server)
    mentions = make_mentions(100)
    queue.put(mentions)
    done = queue.claim("pipeline", 40, LEASE)
    queue.ack([c.receipt for c in done])
    in_flight = queue.claim("pipeline", 20, LEASE)
    queue.dead_letter([(in_flight[0].receipt, "NLP: ValueError: too long")])
    server.kill()  # kill -9: only what was fsynced before each reply survives
    server.start()

    assert (queue.depth(), queue.dead_letter_count()) == (59, 1)
    [letter] = queue.dead_letters()
    assert (letter.mention, letter.reason) == (in_flight[0].mention, "NLP: ValueError: too long")
    time.sleep(LEASE)
    left = queue.claim("pipeline", 100, LEASE)
    assert [c.mention for c in left] == mentions[41:], "nothing acknowledged comes back"
    assert [c.deliveries for c in left] == [2] * 19 + [1] * 40
    queue.close()


def test_a_redis_that_lost_its_data_is_used_again_at_once(
    make_redis_server: MakeRedisServer, make_mentions: Callable[..., list[Mention]]
) -> None:
    server = make_redis_server()  # no persistence: a restart empties it
    queue = open_queue(server)
    queue.put(make_mentions(3))
    lost = queue.claim("pipeline", 10, LEASE)
    server.restart()
    queue.dead_letter([(lost[0].receipt, "rules: KeyError: 'x'")])  # gone with the rest
    queue.ack([c.receipt for c in lost[1:]])
    assert queue.release_consumer("pipeline") == 0
    fresh = make_mentions(2, source="mastodon")
    queue.put(fresh)
    assert [c.mention for c in queue.claim("pipeline", 10, LEASE)] == fresh
    assert queue.dead_letter_count() == 0
    queue.close()


def test_the_stream_holds_only_what_is_not_acknowledged(
    redis_server: RedisServer, redis_prefix: str, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = RedisMentionQueue(redis_client(redis_server.url), redis_prefix)
    for _ in range(5):
        queue.put(make_mentions(200))
        claimed = queue.claim("pipeline", 200, LEASE)
        queue.dead_letter([(claimed[0].receipt, "rules: KeyError: 'x'")])
        queue.ack([c.receipt for c in claimed[1:]])
    client = Redis.from_url(redis_server.url, decode_responses=True)
    assert client.xlen(queue.stream) == 0, "acknowledged entries are deleted, not kept"
    [group] = client.xinfo_groups(queue.stream)
    assert (group["name"], group["pending"]) == (GROUP, 0)
    assert client.xlen(queue.dead_stream) == 5
    assert queue.retry_dead_letters() == 5
    assert (client.xlen(queue.stream), client.xlen(queue.dead_stream)) == (5, 0)
    client.close()
    queue.close()


def test_the_group_says_who_holds_what_and_a_released_consumer_leaves_it(
    redis_server: RedisServer, redis_prefix: str, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = RedisMentionQueue(redis_client(redis_server.url), redis_prefix)
    queue.put(make_mentions(10))
    queue.claim("worker-a", 3, LEASE)
    queue.claim("worker-b", 4, LEASE)
    group = queue.group()
    assert group.pending == 7 and group.released == 0
    assert {(c.name, c.pending) for c in group.consumers} == {("worker-a", 3), ("worker-b", 4)}

    assert queue.release_consumer("worker-a") == 3
    group = queue.group()
    assert group.pending == 7 and group.released == 3
    assert [c.name for c in group.consumers] == ["worker-b"], "it held nothing: it left"
    taken = queue.claim("worker-c", 10, 3600)  # released entries are claimable at once
    assert len(taken) == 6
    assert [c.deliveries for c in taken[:3]] == [2, 2, 2], "the release itself counts none"
    queue.ack([c.receipt for c in taken])
    assert queue.release_consumer("worker-c") == 0
    assert {c.name for c in queue.group().consumers} == {"worker-b"}
    queue.close()
