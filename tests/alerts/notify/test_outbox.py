"""The durable outbox, each backend alike: once per key, backoff while a channel is down,
failures kept, notifiers killed or racing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.notify import Outbox, OutboxCounts, build_channels
from alerts.notify.channels import Channel, WebhookChannel
from config.notifications import SlackChannelSettings, WebhookChannelSettings
from config.settings import Settings
from core.errors import DeliveryError
from core.records import Notice
from standins.server import Reply, StandinServer
from standins.webhook import WebhookSink
from tests.alerts.notify.conftest import MakeNotice
from tests.alerts.notify.outbox_stores import OutboxStore

SECRET = "outbox-test-hmac-key-123"
ROOT = Path(__file__).resolve().parents[3]


def webhook(url: str, name: str = "care") -> WebhookChannel:
    return WebhookChannel(
        WebhookChannelSettings(
            name=name,
            type="webhook",
            url=f"{url}/hooks/kikimimi",
            secret=SecretStr(SECRET),
            timeout_seconds=5,
        )
    )


class Scripted:
    """A channel that raises the errors it is given, then succeeds; records what it sent."""

    def __init__(self, *errors: Exception, name: str = "care") -> None:
        self.errors = list(errors)
        self.sent: list[str] = []
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def send(self, notice: Notice) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(notice.key)


@pytest.fixture
def outbox(outbox_store: OutboxStore) -> Iterator[Outbox]:
    with outbox_store.open(base_backoff_seconds=10, max_backoff_seconds=300) as box:
        yield box


@pytest.fixture
def sink() -> WebhookSink:
    return WebhookSink(SECRET)


@pytest.fixture
def server(sink: WebhookSink) -> Iterator[StandinServer]:
    with StandinServer(sink) as running:
        yield running


def test_a_key_is_stored_and_delivered_once(
    outbox: Outbox, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    assert outbox.enqueue([notice_factory(1), notice_factory(2)]) == 2
    assert outbox.enqueue([notice_factory(1)]) == 0
    report = outbox.deliver_due({"care": webhook(server.url)})
    assert report.delivered == 2
    assert outbox.enqueue([notice_factory(1)]) == 0  # delivered keys stay known
    assert outbox.deliver_due({"care": webhook(server.url)}).attempts == ()
    assert sorted(sink.deliveries) == sorted([notice_factory(1).key, notice_factory(2).key])
    assert sink.duplicates == 0
    assert outbox.counts().delivered == 2


def test_a_channel_down_for_a_while_loses_and_repeats_nothing(
    outbox: Outbox, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    channels: dict[str, Channel] = {"care": webhook(server.url)}
    notices = [notice_factory(n) for n in range(1, 6)]
    keys = sorted(n.key for n in notices)
    outbox.enqueue(notices)
    sink.go_down()
    t0 = time.time()

    first = outbox.deliver_due(channels, now=t0)
    (attempt,) = first.attempts  # one probe; the channel's other notices wait with it
    assert (attempt.key, attempt.outcome) == (notices[0].key, "retrying")
    assert attempt.next_attempt_at == pytest.approx(t0 + 10)
    assert "HTTP 503" in (attempt.error or "")
    assert all(e.next_attempt_at == pytest.approx(t0 + 10) for e in outbox.pending())
    assert outbox.deliver_due(channels, now=t0 + 5).attempts == ()  # not due yet
    assert outbox.counts() == OutboxCounts(pending=5, retrying=1)

    second = outbox.deliver_due(channels, now=t0 + 11)
    (attempt,) = second.attempts  # the next probe is a notice not tried yet
    assert attempt.key == notices[1].key
    assert outbox.deliver_due(channels, now=t0 + 22).attempts[0].key == notices[2].key
    first_again = outbox.get(notices[0].key)
    assert first_again is not None and first_again.attempts == 1

    sink.go_down(retry_after=120)  # Retry-After holds every notice of the channel
    limited = outbox.deliver_due(channels, now=t0 + 33)
    assert limited.attempts[0].next_attempt_at == pytest.approx(t0 + 33 + 120)
    assert all(e.next_attempt_at >= t0 + 153 for e in outbox.pending())
    assert outbox.deliver_due(channels, now=t0 + 100).attempts == ()

    sink.come_back()
    recovered = outbox.deliver_due(channels, now=t0 + 200)
    assert recovered.delivered == 5
    assert sorted(sink.deliveries) == keys
    assert sorted(sink.accepted) == keys  # exactly once each
    assert outbox.counts() == OutboxCounts(delivered=5)
    assert outbox.deliver_due(channels, now=t0 + 10_000).attempts == ()


def test_one_notice_that_keeps_failing_does_not_hold_the_others(
    outbox: Outbox, notice_factory: MakeNotice
) -> None:
    bad = notice_factory(1)

    class Picky(Scripted):
        def send(self, notice: Notice) -> None:
            if notice.key == bad.key:
                raise DeliveryError(True, "HTTP 500")
            super().send(notice)

    channel = Picky()
    outbox.enqueue([bad, notice_factory(2), notice_factory(3)])
    t0 = time.time()
    outbox.deliver_due({"care": channel}, now=t0)  # the bad one (oldest) probes and fails
    assert channel.sent == []
    outbox.deliver_due({"care": channel}, now=t0 + 11)  # the others go first, after one pause
    assert channel.sent == [notice_factory(2).key, notice_factory(3).key]
    (left,) = outbox.pending()
    assert (left.key, left.attempts) == (bad.key, 2)
    assert left.next_attempt_at == pytest.approx(t0 + 11 + 20)


def test_purge_deletes_only_delivered_notices_older_than_the_retention(
    outbox: Outbox, notice_factory: MakeNotice
) -> None:
    old, recent, undelivered = notice_factory(1), notice_factory(2), notice_factory(3, channel="x")
    outbox.enqueue([old], now=0)
    outbox.enqueue([recent, undelivered], now=50)
    channel = Scripted()
    outbox.deliver_due({"care": channel}, now=100, limit=1)
    outbox.deliver_due({"care": channel}, now=1000)
    assert channel.sent == [old.key, recent.key]
    assert outbox.purge_delivered(older_than_seconds=500, now=1200) == 1  # delivered before 700
    assert outbox.get(old.key) is None
    assert [e.key for e in outbox.delivered()] == [recent.key]
    assert [e.key for e in outbox.pending()] == [undelivered.key]
    assert outbox.enqueue([old]) == 1  # a purged key is new again


def test_backoff_honours_retry_after_and_the_cap(outbox: Outbox) -> None:
    assert outbox.backoff(0) == 10
    assert outbox.backoff(3) == 80
    assert outbox.backoff(0, retry_after=120) == 120
    assert outbox.backoff(10) == 300
    assert outbox.backoff(0, retry_after=10_000) == 300
    assert outbox.backoff(10_000) == 300


def test_retry_after_schedules_the_next_attempt(outbox: Outbox, notice_factory: MakeNotice) -> None:
    channel = Scripted(DeliveryError(True, "HTTP 429", retry_after=95))
    outbox.enqueue([notice_factory()])
    now = time.time() + 1000
    report = outbox.deliver_due({"care": channel}, now=now)
    assert report.attempts[0].next_attempt_at == pytest.approx(now + 95)


def test_a_permanent_error_is_kept_and_can_be_retried(
    outbox: Outbox, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    channels: dict[str, Channel] = {"care": webhook(server.url)}
    outbox.enqueue([notice_factory(1), notice_factory(2)])
    server.inject("/hooks", Reply(400, b'{"error": "bad notice"}'))
    report = outbox.deliver_due(channels)
    assert (report.failed, report.delivered) == (1, 1)
    (failed,) = outbox.failed()
    assert failed.key == notice_factory(1).key
    assert "HTTP 400" in (failed.last_error or "")
    assert failed.notice == notice_factory(1)
    assert outbox.counts() == OutboxCounts(delivered=1, failed=1)
    assert outbox.deliver_due(channels).attempts == ()  # failed is not retried by itself

    assert outbox.retry_failed() == 1
    assert outbox.deliver_due(channels).delivered == 1
    assert outbox.failed() == []
    assert sorted(sink.deliveries) == sorted([notice_factory(1).key, notice_factory(2).key])


def test_retry_failed_by_key(outbox: Outbox, notice_factory: MakeNotice) -> None:
    channel = Scripted(DeliveryError(False, "no"), DeliveryError(False, "no"))
    outbox.enqueue([notice_factory(1), notice_factory(2)])
    outbox.deliver_due({"care": channel})
    assert len(outbox.failed()) == 2
    assert outbox.retry_failed([notice_factory(2).key]) == 1
    outbox.deliver_due({"care": channel})
    assert channel.sent == [notice_factory(2).key]


def test_an_unconfigured_or_disabled_channel_keeps_its_notices(
    outbox: Outbox, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    outbox.enqueue([notice_factory(1, channel="care"), notice_factory(2, channel="ops")])
    settings = Settings(
        notifications=[
            WebhookChannelSettings(
                name="care",
                type="webhook",
                url=f"{server.url}/hooks/kikimimi",
                secret=SecretStr(SECRET),
            ),
            SlackChannelSettings(
                name="ops", type="slack", url=SecretStr("https://hooks.example/x"), enabled=False
            ),
        ]
    )
    channels = build_channels(settings)
    assert list(channels) == ["care"]
    report = outbox.deliver_due(channels)
    assert report.delivered == 1
    assert report.unroutable == 1
    (waiting,) = outbox.pending()
    assert waiting.channel == "ops"
    assert waiting.last_error == "channel 'ops' is not configured or is disabled"
    assert waiting.attempts == 0

    ops = Scripted(name="ops")
    report = outbox.deliver_due({**channels, "ops": ops})
    assert (report.delivered, report.unroutable) == (1, 0)
    assert ops.sent == [notice_factory(2, channel="ops").key]


def test_an_unexpected_error_is_retried(outbox: Outbox, notice_factory: MakeNotice) -> None:
    channel = Scripted(RuntimeError("bug with secret-ish detail"))
    outbox.enqueue([notice_factory()])
    report = outbox.deliver_due({"care": channel})
    assert report.retrying == 1
    (entry,) = outbox.pending()
    assert entry.last_error == "unexpected error in the channel (see the log)"


def test_a_payload_that_no_longer_parses_fails(
    outbox: Outbox, outbox_store: OutboxStore, notice_factory: MakeNotice
) -> None:
    outbox.enqueue([notice_factory()])
    outbox_store.corrupt(notice_factory().key)
    report = outbox.deliver_due({"care": Scripted()})
    assert report.failed == 1
    assert outbox.failed()[0].notice is None


def test_two_workers_send_each_notice_once(
    outbox_store: OutboxStore, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    with outbox_store.open() as box:
        box.enqueue([notice_factory(n) for n in range(20)])

    def work() -> None:
        with outbox_store.open() as box:
            box.deliver_due({"care": webhook(server.url)})

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert len(sink.deliveries) == 20
    assert sink.duplicates == 0


def child(script: str, *args: str) -> subprocess.Popen[str]:
    """A Python process running ``script`` (its ``sys.argv[1:]`` are ``args``), lines in and
    out."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
    )


def kill(process: subprocess.Popen[str]) -> None:
    """``kill -9``, and wait for it."""
    process.send_signal(signal.SIGKILL)
    assert process.wait(30) == -signal.SIGKILL


CHILD = """
import sys
from pydantic import SecretStr
from alerts.notify.channels import WebhookChannel
from config.notifications import WebhookChannelSettings
from core.records import Notice
from tests.alerts.notify.outbox_stores import from_spec

spec, url, secret = sys.argv[1:4]
notices = [Notice.model_validate_json(line) for line in sys.stdin if line.strip()]
outbox = from_spec(spec).open()
outbox.enqueue(notices)
print("enqueued", flush=True)
channel = WebhookChannel(
    WebhookChannelSettings(name="care", type="webhook", url=url, secret=SecretStr(secret))
)
outbox.deliver_due({"care": channel})  # the sink holds the first request: killed here
print("delivered", flush=True)
"""


def test_a_killed_process_loses_nothing(
    outbox_store: OutboxStore, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    notices = [notice_factory(n) for n in range(1, 6)]
    gate = sink.faults.hold()
    process = child(CHILD, outbox_store.spec(), f"{server.url}/hooks/kikimimi", SECRET)
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("".join(n.model_dump_json() + "\n" for n in notices))
        process.stdin.close()
        assert process.stdout.readline().strip() == "enqueued"
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.requests, "the child never started delivering"
        kill(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)
    gate.set()  # the dead child's request now reaches the sink, too late to matter

    with outbox_store.open(lease_seconds=300) as box:
        assert box.counts().pending == 5
        now = time.time()
        first = box.deliver_due({"care": webhook(server.url)}, now=now)
        assert first.delivered == 4  # the one in flight is still under the dead child's lease
        later = box.deliver_due({"care": webhook(server.url)}, now=now + 301)
        assert later.delivered == 1
        assert box.counts().delivered == 5
    assert sorted(sink.deliveries) == sorted(n.key for n in notices)


STALLED_NOTIFIER = """
import sys, time
from tests.alerts.notify.outbox_stores import from_spec

class Stalled:
    name = "care"
    def send(self, notice):
        print(notice.key, flush=True)  # claimed, about to send: killed here
        time.sleep(3600)

from_spec(sys.argv[1]).open(lease_seconds=60).deliver_due({"care": Stalled()})
"""


def test_a_notifier_killed_after_its_claim_is_replaced_once_the_lease_ends(
    outbox_store: OutboxStore, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    notices = [notice_factory(n) for n in range(1, 6)]
    with outbox_store.open() as box:
        box.enqueue(notices)
    process = child(STALLED_NOTIFIER, outbox_store.spec())
    try:
        assert process.stdout is not None
        claimed = process.stdout.readline().strip()
        assert claimed == notices[0].key
        kill(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)

    channels: dict[str, Channel] = {"care": webhook(server.url)}
    with outbox_store.open(lease_seconds=60) as other:
        now = time.time()
        assert other.deliver_due(channels, now=now).delivered == 4
        assert other.deliver_due(channels, now=now + 30).attempts == ()  # the lease holds
        (late,) = other.deliver_due(channels, now=now + 61).attempts
        assert (late.key, late.outcome) == (claimed, "delivered")
        assert other.get(claimed) is not None
        assert other.counts() == OutboxCounts(delivered=5)
    assert sorted(sink.accepted) == sorted(n.key for n in notices)  # each exactly once


RACING_NOTIFIER = """
import sys
from pydantic import SecretStr
from alerts.notify.channels import WebhookChannel
from config.notifications import WebhookChannelSettings
from tests.alerts.notify.outbox_stores import from_spec

spec, url, secret = sys.argv[1:4]
outbox = from_spec(spec).open()
channel = WebhookChannel(
    WebhookChannelSettings(name="care", type="webhook", url=url, secret=SecretStr(secret))
)
print("ready", flush=True)
sys.stdin.readline()  # all start together
sent = 0
while (report := outbox.deliver_due({"care": channel}, limit=5)).attempts:
    sent += report.delivered
print(sent, flush=True)
"""


@pytest.mark.slow
def test_notifier_processes_racing_for_the_same_notices_deliver_each_key_once(
    outbox_store: OutboxStore, sink: WebhookSink, server: StandinServer, notice_factory: MakeNotice
) -> None:
    notices = [notice_factory(n) for n in range(60)]
    with outbox_store.open() as box:
        box.enqueue(notices)
    url = f"{server.url}/hooks/kikimimi"
    racers = [child(RACING_NOTIFIER, outbox_store.spec(), url, SECRET) for _ in range(3)]
    try:
        for racer in racers:
            assert racer.stdout is not None and racer.stdout.readline().strip() == "ready"
        for racer in racers:
            assert racer.stdin is not None
            racer.stdin.write("go\n")
            racer.stdin.flush()
        sent = []
        for racer in racers:
            assert racer.stdout is not None
            sent.append(int(racer.stdout.readline()))
            assert racer.wait(60) == 0
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
                racer.wait(30)
    assert sum(sent) == 60
    assert sorted(sink.accepted) == sorted(n.key for n in notices)  # none twice
    with outbox_store.open() as box:
        assert box.counts() == OutboxCounts(delivered=60)
