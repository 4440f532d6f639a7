"""The durable mention queue, each behaviour on both backends (SQLite and a real Redis):
order, leases, acknowledgements, many processes, dead letters, deliveries in vain; and the
SQLite file's full disk."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import StorageFullError
from core.mention_queue import SqliteMentionQueue
from core.records import Mention
from tests.core.conftest import QueueBackend
from tests.small_filesystem import fill, small_filesystem


def test_put_claim_ack_in_order(
    backend: QueueBackend, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = backend.open()
    mentions = make_mentions(5)
    assert queue.put(mentions) == 5
    first = queue.claim("a", 3, lease_seconds=60)
    assert [c.mention for c in first] == mentions[:3]
    second = queue.claim("b", 10, lease_seconds=60)
    assert [c.mention for c in second] == mentions[3:]  # claimed ones are not handed out twice
    queue.ack([c.receipt for c in first])
    assert queue.depth() == 2
    queue.ack([c.receipt for c in second])
    assert queue.depth() == 0
    assert queue.claim("a", 10, lease_seconds=60) == []


def test_unacknowledged_claims_come_back_after_the_lease(
    backend: QueueBackend, make_mentions: Callable[..., list[Mention]]
) -> None:
    crashed, other = backend.open(), backend.open()
    crashed.put(make_mentions(2))
    lost = crashed.claim("crashed-worker", 10, lease_seconds=0.2)
    assert other.claim("other", 10, lease_seconds=0.2) == []
    time.sleep(0.3)
    again = other.claim("other", 10, lease_seconds=0.2)
    assert [c.receipt for c in again] == [c.receipt for c in lost]
    assert [c.mention for c in again] == [c.mention for c in lost]
    assert all(c.deliveries == 2 for c in again)
    other.ack([c.receipt for c in again])
    crashed.ack([c.receipt for c in lost])  # too late: changes nothing
    assert other.depth() == 0


def test_a_restarted_consumer_hands_back_its_claims_at_once(
    backend: QueueBackend, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = backend.open()
    queue.put(make_mentions(3))
    held = queue.claim("pipeline", 2, lease_seconds=600)
    assert queue.release_consumer("pipeline") == 2
    assert queue.release_consumer("pipeline") == 0
    again = queue.claim("pipeline", 10, lease_seconds=600)
    assert [c.mention for c in again[:2]] == [c.mention for c in held]
    assert [c.deliveries for c in again] == [2, 2, 1]


def test_a_mention_handed_out_too_often_is_dead_lettered_instead(
    backend: QueueBackend, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = backend.open(max_deliveries=2)
    poison, fine = make_mentions(2)
    queue.put([poison])
    for _ in range(2):  # whatever takes it dies on it (never acknowledges)
        assert [c.mention for c in queue.claim("worker", 10, lease_seconds=0.05)] == [poison]
        time.sleep(0.1)
    queue.put([fine])
    assert [c.mention for c in queue.claim("worker", 10, lease_seconds=0.05)] == [fine]
    [letter] = queue.dead_letters()
    assert (letter.mention, letter.deliveries) == (poison, 2)
    assert letter.reason.startswith("handed out 2 times and never acknowledged")
    assert (queue.depth(), queue.dead_letter_count()) == (1, 1)


def test_survives_a_killed_producer_and_is_shared_across_processes(
    backend: QueueBackend,
) -> None:
    script = f"""
import os, sys
from datetime import UTC, datetime
from core.records import Mention
{backend.opening_code}
now = datetime.now(UTC)
for i in range(300):
    queue.put([Mention(source="t", native_id=str(i), text="x", published_at=now, collected_at=now)])
    if i == 199:
        os.kill(os.getpid(), 9)
"""
    process = subprocess.run([sys.executable, "-c", script], check=False)
    assert process.returncode == -9
    queue = backend.open()
    claimed = queue.claim("reader", 1000, lease_seconds=60)
    assert [c.mention.native_id for c in claimed] == [str(i) for i in range(200)]


def test_dead_letters_leave_the_queue_with_their_reason_until_retried_or_dropped(
    backend: QueueBackend, make_mentions: Callable[..., list[Mention]]
) -> None:
    queue = backend.open()
    mentions = make_mentions(4)
    queue.put(mentions)
    claimed = queue.claim("pipeline", 10, lease_seconds=60)
    queue.dead_letter([(claimed[1].receipt, "NLP: ValueError: too long")])
    queue.dead_letter([(claimed[3].receipt, "published_at 9999-12-31 is implausible")])
    queue.ack([claimed[0].receipt, claimed[2].receipt])

    assert queue.depth() == 0, "dead letters are not waiting"
    assert queue.claim("pipeline", 10, lease_seconds=0) == []
    assert queue.dead_letter_count() == 2
    newest, oldest = queue.dead_letters()
    assert (newest.mention, newest.reason) == (
        mentions[3],
        "published_at 9999-12-31 is implausible",
    )
    assert (oldest.mention, oldest.reason) == (mentions[1], "NLP: ValueError: too long")
    assert oldest.deliveries == 1 and newest.dead_at >= oldest.dead_at

    assert queue.retry_dead_letters() == 2
    again = queue.claim("pipeline", 10, lease_seconds=60)
    assert [c.mention for c in again] == [mentions[1], mentions[3]]
    queue.dead_letter([(c.receipt, "still failing") for c in again])
    assert queue.drop_dead_letters() == 2
    assert (queue.dead_letter_count(), queue.depth()) == (0, 0)


def test_a_full_disk_is_one_clear_error_and_loses_nothing(
    tmp_path: Path, make_mentions: Callable[..., list[Mention]]
) -> None:
    with small_filesystem(tmp_path / "small", "1m") as directory:
        queue = SqliteMentionQueue(directory / "q.sqlite")
        queue.put(make_mentions(10))
        filler = fill(directory)
        with pytest.raises(StorageFullError) as raised:
            queue.put(make_mentions(400))
        assert str(directory / "q.sqlite") in str(raised.value)
        assert "disk is full" in str(raised.value)
        filler.unlink()
        claimed = queue.claim("pipeline", 1000, lease_seconds=60)
        queue.close()
    assert len(claimed) == 10
