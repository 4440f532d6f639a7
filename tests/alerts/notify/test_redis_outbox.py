"""The Redis outbox's own promises: a Redis restarted on its append-only file re-delivers
nothing delivered and loses nothing undelivered; a notifier's restart ends only its own
claims; a notifier whose lease ended cannot undo the notifier that took over; Redis away is
one clear error."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerts.notify import Outbox, OutboxCounts
from alerts.notify.channels import Channel
from core.errors import DeliveryError, RedisUnavailableError
from core.records import Notice
from standins.server import StandinServer
from standins.webhook import WebhookSink
from tests.alerts.notify.conftest import MakeNotice
from tests.alerts.notify.outbox_stores import OutboxStore
from tests.alerts.notify.test_outbox import SECRET, Scripted, webhook
from tests.conftest import MakeRedisServer
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_store(tmp_path: Path, redis_server: RedisServer, redis_prefix: str) -> OutboxStore:
    return OutboxStore("redis", tmp_path / "unused", redis_server.url, redis_prefix)


@pytest.fixture
def sink() -> WebhookSink:
    return WebhookSink(SECRET)


@pytest.fixture
def server(sink: WebhookSink) -> Iterator[StandinServer]:
    with StandinServer(sink) as running:
        yield running


class KillsRedis:
    """A channel whose send kills ``redis-server`` (``kill -9``) and fails: Redis dies
    while a notice is claimed."""

    name = "care"

    def __init__(self, redis: RedisServer) -> None:
        self.redis = redis
        self.claimed = ""

    def send(self, notice: Notice) -> None:
        self.claimed = notice.key
        self.redis.kill()
        raise DeliveryError(True, "the notifier's machine lost power")


def test_redis_restarted_on_its_append_only_file_redelivers_nothing_and_loses_nothing(
    tmp_path: Path,
    make_redis_server: MakeRedisServer,
    sink: WebhookSink,
    server: StandinServer,
    notice_factory: MakeNotice,
) -> None:
    redis = make_redis_server(appendonly=True)
    store = OutboxStore("redis", tmp_path / "unused", redis.url, "kk-restart")
    notices = [notice_factory(n) for n in range(20)]
    channels: dict[str, Channel] = {"care": webhook(server.url)}
    t0 = time.time()
    with store.open(lease_seconds=60) as outbox:
        assert outbox.enqueue(notices, now=t0) == 20
        assert outbox.deliver_due(channels, now=t0, limit=8).delivered == 8
        dying = KillsRedis(redis)
        with pytest.raises(RedisUnavailableError):  # the ninth is claimed when Redis dies
            outbox.deliver_due({"care": dying}, now=t0)

        redis.start()  # same port, same append-only file
        assert outbox.enqueue(notices, now=t0 + 1) == 0  # every key is still known
        assert outbox.counts() == OutboxCounts(pending=12, retrying=1, delivered=8)
        assert outbox.deliver_due(channels, now=t0 + 1).delivered == 11
        (last,) = outbox.deliver_due(channels, now=t0 + 61).attempts  # its lease ended
        assert (last.key, last.outcome) == (dying.claimed, "delivered")
        assert outbox.counts() == OutboxCounts(delivered=20)
    assert sorted(sink.accepted) == sorted(n.key for n in notices)  # each exactly once


class Blocking:
    """A channel whose send waits until ``go`` is set, then fails with ``error`` (or takes
    the notice); ``started`` is set once a send began."""

    name = "care"

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.started = threading.Event()
        self.go = threading.Event()

    def send(self, notice: Notice) -> None:
        self.started.set()
        assert self.go.wait(30)
        if self.error is not None:
            raise self.error


def sending(outbox: Outbox, channel: Blocking, now: float | None = None) -> threading.Thread:
    """A thread delivering one notice through ``channel``, started and inside the send."""
    thread = threading.Thread(target=outbox.deliver_due, args=({"care": channel}, now, 1))
    thread.start()
    assert channel.started.wait(10)
    return thread


def test_a_restarted_notifier_ends_only_its_own_claims(
    redis_store: OutboxStore, notice_factory: MakeNotice
) -> None:
    first, second = notice_factory(1), notice_factory(2)
    with redis_store.open(owner="notifier-a") as a, redis_store.open(owner="notifier-b") as b:
        a.enqueue([first, second])
        to_a, to_b = Blocking(), Blocking()
        threads = [sending(a, to_a), sending(b, to_b)]  # a holds the first, b the second

        with redis_store.open(owner="notifier-b") as b_restarted:
            assert b_restarted.release_leases() == 1
        with redis_store.open(owner="notifier-c") as c:
            (attempt,) = c.deliver_due({"care": Scripted()}).attempts
            assert attempt.key == second.key  # b's, given back; a's is still held
        for channel in (to_a, to_b):
            channel.go.set()
        for thread in threads:
            thread.join(30)
        assert a.counts() == OutboxCounts(delivered=2)


def test_a_notifier_whose_lease_ended_cannot_undo_the_one_that_took_over(
    redis_store: OutboxStore, notice_factory: MakeNotice
) -> None:
    notice = notice_factory(1)
    with (
        redis_store.open(owner="slow", lease_seconds=60) as slow,
        redis_store.open(owner="other", lease_seconds=60) as other,
    ):
        slow.enqueue([notice])
        t0 = time.time()
        late = Blocking(DeliveryError(True, "timed out after a minute"))
        thread = sending(slow, late, t0)
        taken = Scripted()
        assert other.deliver_due({"care": taken}, now=t0 + 61).delivered == 1
        late.go.set()  # the slow notifier's send fails now: it would retry the notice
        thread.join(30)
        entry = other.get(notice.key)
        assert entry is not None and entry.status == "delivered"
        assert other.deliver_due({"care": taken}, now=t0 + 10_000).attempts == ()
        assert taken.sent == [notice.key]


def test_redis_away_is_one_error_naming_the_outbox(
    tmp_path: Path, make_redis_server: MakeRedisServer, notice_factory: MakeNotice
) -> None:
    redis = make_redis_server()
    with OutboxStore("redis", tmp_path / "unused", redis.url, "kk-away").open() as outbox:
        outbox.enqueue([notice_factory(1)])
        redis.kill()
        with pytest.raises(RedisUnavailableError) as raised:
            outbox.counts()
    assert str(raised.value).startswith(
        "could not count notices in the notice outbox (Redis keys kk-away:outbox:*): "
        "Redis is unavailable: ConnectionError"
    ), raised.value


def test_purge_goes_through_many_delivered_notices(
    redis_store: OutboxStore, notice_factory: MakeNotice
) -> None:
    with redis_store.open() as outbox:
        outbox.enqueue([notice_factory(n, channel=f"c{n % 2}") for n in range(1200)], now=0)
        channels: dict[str, Channel] = {"c0": Scripted(name="c0"), "c1": Scripted(name="c1")}
        while outbox.deliver_due(channels, now=10, limit=500).attempts:
            pass
        assert outbox.purge_delivered(older_than_seconds=5, now=20) == 1200
        assert outbox.counts() == OutboxCounts()
        assert outbox.recent("case_opened") == []
