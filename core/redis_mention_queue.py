"""The mention queue in Redis: a stream read by one consumer group, shared by any number of
processes on any number of machines.

- ``put`` appends entries (``XADD``, one ``MULTI`` per call: all or none).
- ``claim`` first takes over entries whose holder has not acknowledged them within the lease
  (``XAUTOCLAIM`` of entries idle that long: a dead worker's), then new ones
  (``XREADGROUP``). Redis counts the deliveries; an entry handed out ``max_deliveries`` times
  already is dead-lettered instead.
- ``ack`` acknowledges and deletes the entries (``XACK`` + ``XDEL`` in one ``MULTI``), so
  the stream holds exactly the mentions not yet acknowledged and acknowledged history does
  not grow. (``MAXLEN`` trimming would drop unacknowledged entries of a long backlog.)
- ``dead_letter`` moves entries to a second stream with their reason (``XADD`` there,
  ``XACK`` + ``XDEL`` here, one ``MULTI``); operators list, retry or drop them.
- ``release_consumer`` makes a consumer's entries claimable at once: they pass to the
  group's pseudo-consumer ``(released)`` as if idle for a year (``XCLAIM ... IDLE ...
  JUSTID``, which counts no delivery); then the consumer leaves the group if it holds
  nothing (a Lua script checks and deletes at once), so the names of workers that came
  and went do not pile up.
- ``group`` says what the group holds: entries claimed and not acknowledged, per consumer.

Keys: ``<prefix>:mentions`` (group ``pipeline``) and ``<prefix>:mentions:dead``. Every
failure leaves as :class:`~core.errors.RedisError` (:func:`~core.redis_boundary.redis_errors`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from core.mention_queue import (
    MAX_DELIVERIES,
    DeadLetter,
    QueuedMention,
    Receipt,
    undelivered_reason,
)
from core.records import Mention, parse_record
from core.redis_boundary import redis_errors

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["ConsumerGroup", "GroupConsumer", "RedisMentionQueue"]

GROUP = "pipeline"
RELEASED = "(released)"
"""The consumer that holds released entries until someone claims them."""
RELEASED_IDLE_MS = 365 * 24 * 3600 * 1000
"""The idle time a released entry is given: longer than any lease, so claimable at once."""
PAGE = 1000
"""Entries read (or moved) per command when going through a whole stream or group."""
FORGET_IDLE_CONSUMER = """
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
    return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
end
return -1
"""
"""Deletes a consumer from the group only if it holds no entry (deleting one that does
would leave its entries pending for nobody, never handed out again)."""

Fields = Mapping[str, str]
Entry = tuple[Receipt, Fields]
Result = TypeVar("Result")


@dataclass(frozen=True)
class _Burial:
    """An entry on its way to the dead letters."""

    receipt: Receipt
    fields: Fields
    deliveries: int
    reason: str


@dataclass(frozen=True)
class GroupConsumer:
    """A consumer of the group: its name, the entries it holds (claimed, not acknowledged)
    and the seconds since it last read or claimed."""

    name: str
    pending: int
    idle_seconds: float


@dataclass(frozen=True)
class ConsumerGroup:
    """The queue as the consumer group sees it: entries claimed and not acknowledged, by
    whom, and how many of them were given back (claimable at once)."""

    pending: int
    consumers: tuple[GroupConsumer, ...]
    released: int


class RedisMentionQueue:
    """A :class:`~core.mention_queue.MentionQueue` in a Redis stream (see the module)."""

    def __init__(
        self, client: Redis, prefix: str = "kikimimi", max_deliveries: int = MAX_DELIVERIES
    ) -> None:
        """``client`` answers with text (``decode_responses``), as
        :func:`~core.redis_boundary.redis_client`'s do; nothing is asked of Redis yet."""
        self.client = client
        self.stream = f"{prefix}:mentions"
        self.dead_stream = f"{prefix}:mentions:dead"
        self.max_deliveries = max_deliveries
        self._group_created = False
        self._reclaim_from = "0-0"
        self._forget_idle_consumer = client.register_script(FORGET_IDLE_CONSUMER)

    def close(self) -> None:
        self.client.close()

    @property
    def _name(self) -> str:
        return f"the mention queue (Redis stream {self.stream})"

    def put(self, mentions: Iterable[Mention]) -> int:
        payloads = [m.model_dump_json() for m in mentions]
        if not payloads:
            return 0
        now = repr(time.time())
        with redis_errors(f"put mentions into {self._name}"):
            transaction = self.client.pipeline(transaction=True)
            for payload in payloads:
                transaction.xadd(self.stream, {"mention": payload, "enqueued_at": now})
            transaction.execute()
        return len(payloads)

    def claim(self, consumer: str, limit: int, lease_seconds: float) -> list[QueuedMention]:
        return self._in_group(
            f"claim mentions from {self._name}", lambda: self._claim(consumer, limit, lease_seconds)
        )

    def _claim(self, consumer: str, limit: int, lease_seconds: float) -> list[QueuedMention]:
        claimed = self._reclaim(consumer, limit, lease_seconds)
        if len(claimed) < limit:
            reply = self.client.xreadgroup(
                GROUP, consumer, {self.stream: ">"}, count=limit - len(claimed)
            )
            claimed += [_queued(entry_id, fields, 1) for entry_id, fields in _read(reply)]
        return claimed

    def _reclaim(self, consumer: str, limit: int, lease_seconds: float) -> list[QueuedMention]:
        """Take over up to ``limit`` entries idle longer than the lease (their holder died or
        was released); those handed out ``max_deliveries`` times already go to the dead
        letters instead. Scans on from where the last call stopped."""
        next_start, reply, _deleted = self.client.xautoclaim(
            self.stream,
            GROUP,
            consumer,
            min_idle_time=max(int(lease_seconds * 1000), 0),
            start_id=self._reclaim_from,
            count=limit,
        )
        self._reclaim_from = str(next_start)
        entries = _entries(reply)
        if not entries:
            return []
        counts = self._deliveries([entry_id for entry_id, _ in entries])
        reclaimed, spent = [], []
        for entry_id, fields in entries:
            deliveries = counts[entry_id]
            if deliveries <= self.max_deliveries:
                reclaimed.append(_queued(entry_id, fields, deliveries))
            else:  # this delivery is one too many: it is not made
                handed_out = deliveries - 1
                spent.append(_Burial(entry_id, fields, handed_out, undelivered_reason(handed_out)))
        self._bury(spent)
        return reclaimed

    def _deliveries(self, entry_ids: Sequence[str]) -> dict[str, int]:
        """How often each pending entry was handed out (Redis's count, this time included)."""
        lookup = self.client.pipeline(transaction=False)
        for entry_id in entry_ids:
            lookup.xpending_range(self.stream, GROUP, min=entry_id, max=entry_id, count=1)
        return {
            entry_id: int(rows[0]["times_delivered"]) if rows else 1
            for entry_id, rows in zip(entry_ids, lookup.execute(), strict=True)
        }

    def ack(self, receipts: Sequence[Receipt]) -> None:
        if not receipts:
            return
        with redis_errors(f"acknowledge mentions in {self._name}"):
            transaction = self.client.pipeline(transaction=True)
            transaction.xack(self.stream, GROUP, *receipts)
            transaction.xdel(self.stream, *receipts)
            transaction.execute()

    def release_consumer(self, consumer: str) -> int:
        released = self._in_group(
            f"release the claims of {consumer!r} in {self._name}", lambda: self._release(consumer)
        )
        self._reclaim_from = "0-0"
        return released

    def _release(self, consumer: str) -> int:
        held = self._held_by(consumer)
        for start in range(0, len(held), PAGE):
            self.client.xclaim(
                self.stream,
                GROUP,
                RELEASED,
                min_idle_time=0,
                message_ids=list[Any](held[start : start + PAGE]),
                idle=RELEASED_IDLE_MS,
                justid=True,
            )
        if consumer != RELEASED:
            self._forget_idle_consumer(keys=[self.stream], args=[GROUP, consumer])
        return len(held)

    def group(self) -> ConsumerGroup:
        """The entries claimed and not acknowledged: in all, per consumer, and given back."""
        return self._in_group(f"read the consumer group of {self._name}", self._group_info)

    def _group_info(self) -> ConsumerGroup:
        reading = self.client.pipeline(transaction=False)
        reading.xinfo_groups(self.stream)
        reading.xinfo_consumers(self.stream, GROUP)
        groups, rows = reading.execute()
        [ours] = [g for g in groups if str(g["name"]) == GROUP]
        consumers = [
            GroupConsumer(str(row["name"]), int(row["pending"]), int(row["idle"]) / 1000)
            for row in rows
        ]
        return ConsumerGroup(
            pending=int(ours["pending"]),
            consumers=tuple(c for c in consumers if c.name != RELEASED),
            released=sum(c.pending for c in consumers if c.name == RELEASED),
        )

    def _held_by(self, consumer: str) -> list[str]:
        held: list[str] = []
        start = "-"
        while True:
            rows = self.client.xpending_range(
                self.stream, GROUP, min=start, max="+", count=PAGE, consumername=consumer
            )
            held += [str(row["message_id"]) for row in rows]
            if len(rows) < PAGE:
                return held
            start = f"({held[-1]}"

    def dead_letter(self, letters: Sequence[tuple[Receipt, str]]) -> None:
        if letters:
            self._in_group(f"dead-letter mentions in {self._name}", lambda: self._kill(letters))

    def _kill(self, letters: Sequence[tuple[Receipt, str]]) -> None:
        lookup = self.client.pipeline(transaction=False)
        for receipt, _reason in letters:
            lookup.xrange(self.stream, receipt, receipt, count=1)
        found = [_entries(reply) for reply in lookup.execute()]
        counts = self._deliveries([receipt for receipt, _ in letters])
        self._bury(
            [
                _Burial(receipt, entries[0][1], counts[receipt], reason)
                for (receipt, reason), entries in zip(letters, found, strict=True)
                if entries
            ]
        )

    def _bury(self, burials: Sequence[_Burial]) -> None:
        """Move entries to the dead letters with their reasons, in one transaction."""
        if not burials:
            return
        now = repr(time.time())
        transaction = self.client.pipeline(transaction=True)
        for burial in burials:
            transaction.xadd(
                self.dead_stream,
                {
                    "mention": burial.fields["mention"],
                    "enqueued_at": burial.fields["enqueued_at"],
                    "reason": burial.reason,
                    "deliveries": str(burial.deliveries),
                    "dead_at": now,
                },
            )
        receipts = [burial.receipt for burial in burials]
        transaction.xack(self.stream, GROUP, *receipts)
        transaction.xdel(self.stream, *receipts)
        transaction.execute()

    def depth(self) -> int:
        with redis_errors(f"count the mentions in {self._name}"):
            return int(self.client.xlen(self.stream))

    def dead_letter_count(self) -> int:
        with redis_errors(f"count the dead letters of {self._name}"):
            return int(self.client.xlen(self.dead_stream))

    def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        """Dead-lettered mentions, newest first."""
        with redis_errors(f"read the dead letters of {self._name}"):
            entries = _entries(self.client.xrevrange(self.dead_stream, "+", "-", count=limit))
        return [
            DeadLetter(
                entry_id,
                parse_record(Mention, fields["mention"]),
                fields["reason"],
                float(fields["dead_at"]),
                int(fields["deliveries"]),
            )
            for entry_id, fields in entries
        ]

    def retry_dead_letters(self) -> int:
        """Put every dead-lettered mention back at the end of the queue (after a fix), a
        page per transaction; returns how many."""
        moved = 0
        with redis_errors(f"retry the dead letters of {self._name}"):
            while entries := _entries(self.client.xrange(self.dead_stream, "-", "+", count=PAGE)):
                transaction = self.client.pipeline(transaction=True)
                for _entry_id, fields in entries:
                    transaction.xadd(
                        self.stream,
                        {"mention": fields["mention"], "enqueued_at": fields["enqueued_at"]},
                    )
                transaction.xdel(self.dead_stream, *[entry_id for entry_id, _ in entries])
                transaction.execute()
                moved += len(entries)
        return moved

    def drop_dead_letters(self) -> int:
        """Delete every dead-lettered mention for good; returns how many."""
        with redis_errors(f"drop the dead letters of {self._name}"):
            transaction = self.client.pipeline(transaction=True)
            transaction.xlen(self.dead_stream)
            transaction.delete(self.dead_stream)
            count, _deleted = transaction.execute()
        return int(count)

    def _in_group(self, operation: str, act: Callable[[], Result]) -> Result:
        """``act`` (commands of the consumer group), the group created first; when Redis
        lost it (it restarted without persistence), created again and ``act`` run again."""
        from redis.exceptions import ResponseError  # noqa: PLC0415 - loaded with a client

        with redis_errors(operation):
            self._create_group()
            try:
                return act()
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
            self._group_created, self._reclaim_from = False, "0-0"
            self._create_group()
            return act()

    def _create_group(self) -> None:
        """The consumer group, reading the stream from its start (once per queue object)."""
        if self._group_created:
            return
        from redis.exceptions import ResponseError  # noqa: PLC0415 - loaded with a client

        try:
            self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_created = True


def _entries(reply: Any) -> list[Entry]:
    """The entries of a stream reply (``[(id, fields), ...]``), without deleted ones."""
    return [(Receipt(str(entry_id)), fields) for entry_id, fields in reply or [] if fields]


def _read(reply: Any) -> list[Entry]:
    """The entries of an ``XREADGROUP`` reply (``[(stream, entries)]``)."""
    return [entry for _stream, entries in reply or [] for entry in _entries(entries)]


def _queued(entry_id: Receipt, fields: Fields, deliveries: int) -> QueuedMention:
    return QueuedMention(
        entry_id,
        parse_record(Mention, fields["mention"]),
        float(fields["enqueued_at"]),
        deliveries,
    )
