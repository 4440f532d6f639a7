"""The outbox in Redis, shared by notifiers on any number of machines.

Every change is one Lua script (:mod:`alerts.notify.redis_outbox_scripts`), so it is atomic:

- ``enqueue`` stores a notice only when its key is not there yet (delivered keys included,
  until purged): a key is delivered once, however often it is queued;
- a claim takes the next due notice out of its channel's due index and leases it to this
  outbox's ``owner`` until ``now + lease_seconds``, in one script that first checks the
  notice is still due and unclaimed: of two notifiers racing for it, one gets it and the
  other the next. A claim whose lease ended (its notifier died) is due again;
- only the holder of a claim ends it (a delivery is recorded whoever made it), and
  ``release_leases`` ends only this owner's claims: a notifier's restart never takes a
  notice from another notifier that is sending it.

Leases, backoff and retention count in the callers' clocks (``now``): the machines'
clocks must agree (NTP) to well within the lease. Keys start with ``<prefix>:outbox:``; every
failure leaves as :class:`~core.errors.RedisError`.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

from alerts.notify import redis_outbox_scripts as scripts
from alerts.notify.delivery import DeliveringOutbox
from alerts.notify.outbox import (
    OutboxCounts,
    OutboxEntry,
    Status,
    one_per_event,
    stored_notice,
    unroutable_reason,
)
from core import Notice, redis_errors

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script

__all__ = ["RedisOutbox", "default_owner"]

PAGE = 500
"""Notices per script call or read when going through many."""


def default_owner() -> str:
    """A name no other outbox object has: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class RedisOutbox(DeliveringOutbox):
    """An :class:`~alerts.notify.outbox.Outbox` in Redis (see the module)."""

    def __init__(
        self,
        client: Redis,
        prefix: str = "kikimimi",
        *,
        owner: str | None = None,
        base_backoff_seconds: float = 30.0,
        max_backoff_seconds: float = 3600.0,
        lease_seconds: float = 300.0,
    ) -> None:
        """``client`` answers with text (``decode_responses``), as
        :func:`~core.redis_boundary.redis_client`'s do; nothing is asked of Redis yet.
        ``owner`` names this outbox's claims (by default unique to this object)."""
        super().__init__(
            base_backoff_seconds=base_backoff_seconds,
            max_backoff_seconds=max_backoff_seconds,
            lease_seconds=lease_seconds,
        )
        self.client = client
        self.keys = f"{prefix}:outbox"
        self.owner = owner or default_owner()
        self._scripts: dict[str, Script] = {}

    def close(self) -> None:
        self.client.close()

    def _run(self, lua: str, *args: str | float) -> Any:
        script = self._scripts.get(lua)
        if script is None:
            script = self._scripts[lua] = self.client.register_script(lua)
        return script(args=[self.keys, *args])

    def _errors(self, operation: str) -> AbstractContextManager[None]:
        return redis_errors(f"{operation} in the notice outbox (Redis keys {self.keys}:*)")

    def enqueue(self, notices: Iterable[Notice], now: float | None = None) -> int:
        """Store notices durably, each key once; returns how many were new."""
        at = repr(time.time() if now is None else now)
        values = [
            value for n in notices for value in (n.key, n.channel, n.kind, n.model_dump_json())
        ]
        added = 0
        with self._errors("store notices"):
            for start in range(0, len(values), 4 * PAGE):
                added += int(self._run(scripts.ENQUEUE, at, *values[start : start + 4 * PAGE]))
        return added

    def _claim(self, channels: Sequence[str], tried: set[str], at: float) -> OutboxEntry | None:
        with self._errors("claim a notice"):
            while True:
                slots = self._run(scripts.CANDIDATES, repr(at), len(tried) + 1, *channels)
                untried = [slot for slot in slots if _slot_key(slot) not in tried]
                if not untried:
                    return None
                lease_until = repr(at + self.lease_seconds)
                fields = self._run(scripts.CLAIM, min(untried), lease_until, self.owner)
                if fields is not None:  # else another notifier took it first: the next one
                    return _entry(fields)

    def _finish(
        self,
        key: str,
        status: Status,
        at: float,
        *,
        error: str | None = None,
        next_attempt_at: float | None = None,
    ) -> None:
        next_at = "" if next_attempt_at is None else repr(next_attempt_at)
        with self._errors(f"record the outcome of notice {key!r}"):
            self._run(scripts.FINISH, key, status, repr(at), self.owner, error or "", next_at)

    def _rest(self, channel: str, until: float, at: float, reason: str) -> None:
        message = f"waiting for the channel's Retry-After ({reason})"
        with self._errors(f"hold the notices of channel {channel!r}"):
            self._run(scripts.REST, channel, repr(until), repr(at), message)

    def _mark_unroutable(self, channels: Sequence[str], at: float) -> int:
        with self._errors("mark the notices of unconfigured channels"):
            unknown = sorted(self._channels() - set(channels))
            pairs = [value for name in unknown for value in (name, unroutable_reason(name))]
            return int(self._run(scripts.MARK_UNROUTABLE, repr(at), *pairs)) if pairs else 0

    def _channels(self) -> set[str]:
        return {str(name) for name in self.client.smembers(f"{self.keys}:channels")}

    def retry_failed(self, keys: Iterable[str] | None = None, now: float | None = None) -> int:
        """Make failed notices (all, or those of ``keys``) pending again; returns how many."""
        at = repr(time.time() if now is None else now)
        count = 0
        with self._errors("retry failed notices"):
            chosen = self._keys_in("failed", None) if keys is None else list(keys)
            for start in range(0, len(chosen), PAGE):
                count += int(self._run(scripts.RETRY_FAILED, at, *chosen[start : start + PAGE]))
        return count

    def release_leases(self) -> int:
        """End the claims this outbox's ``owner`` holds (a notifier that restarted under
        the same name); returns how many. Other notifiers' claims run to their end."""
        with self._errors("release claims"):
            return int(self._run(scripts.RELEASE, self.owner))

    def get(self, key: str) -> OutboxEntry | None:
        """The entry of one notice key, if stored."""
        with self._errors(f"read notice {key!r}"):
            fields = self.client.hmget(f"{self.keys}:notice:{key}", scripts.FIELDS)
        return None if fields[0] is None else _entry(fields)

    def _list(self, status: Status, channel: str | None, limit: int) -> list[OutboxEntry]:
        with self._errors(f"list the {status} notices"):
            entries = self._entries(self._keys_in(status, channel))
        entries.sort(key=lambda e: (e.next_attempt_at, e.enqueued_at, e.key))
        return entries[:limit]

    def _keys_in(self, status: Status, channel: str | None) -> list[str]:
        names = [channel] if channel is not None else sorted(self._channels())
        reads = self.client.pipeline(transaction=False)
        for name in names:
            index = f"{self.keys}:{status}:{name}"
            if status == "delivered":
                reads.zrange(index, 0, -1)
            else:
                reads.smembers(index)
        return [key for keys in reads.execute() for key in keys]

    def _entries(self, keys: Sequence[str]) -> list[OutboxEntry]:
        entries = []
        for start in range(0, len(keys), PAGE):
            reads = self.client.pipeline(transaction=False)
            for key in keys[start : start + PAGE]:
                reads.hmget(f"{self.keys}:notice:{key}", scripts.FIELDS)
            entries += [_entry(fields) for fields in reads.execute() if fields[0] is not None]
        return entries

    def recent(self, kind: str, limit: int = 50) -> list[Notice]:
        """The notices of ``kind`` (e.g. ``spike``), newest first, whatever their delivery
        status: one per event (a notice sent to several channels is listed once)."""
        with self._errors(f"read the recent {kind} notices"):
            return one_per_event(self._payloads(self._newest_first(kind)), limit)

    def _newest_first(self, kind: str) -> Iterator[list[str]]:
        """Pages of the keys of ``kind``, newest first (ties by key, as in SQLite)."""
        index = f"{self.keys}:kind:{kind}"
        start = 0
        tied: list[str] = []
        tied_at: float | None = None
        while True:
            page = cast(
                "list[tuple[str, float]]",
                self.client.zrevrange(index, start, start + PAGE - 1, withscores=True),
            )
            ordered: list[str] = []
            for key, score in page:
                if score != tied_at:
                    ordered += sorted(tied)
                    tied, tied_at = [], score
                tied.append(key)
            if len(page) < PAGE:
                yield ordered + sorted(tied)
                return
            yield ordered
            start += PAGE

    def _payloads(self, pages: Iterator[list[str]]) -> Iterator[str]:
        for keys in pages:
            reads = self.client.pipeline(transaction=False)
            for key in keys:
                reads.hget(f"{self.keys}:notice:{key}", "payload")
            yield from (payload for payload in reads.execute() if payload is not None)

    def counts(self, channel: str | None = None) -> OutboxCounts:
        """Notices per state, for all channels or one."""
        with self._errors("count notices"):
            names = [channel] if channel is not None else sorted(self._channels())
            reads = self.client.pipeline(transaction=False)
            for name in names:
                reads.scard(f"{self.keys}:pending:{name}")
                reads.scard(f"{self.keys}:retrying:{name}")
                reads.zcard(f"{self.keys}:delivered:{name}")
                reads.scard(f"{self.keys}:failed:{name}")
            replies = [int(count) for count in reads.execute()]
        return OutboxCounts(*(sum(replies[i::4]) for i in range(4)))

    def purge_delivered(self, older_than_seconds: float, now: float | None = None) -> int:
        """Forget delivered notices older than that (their keys may then be enqueued again)."""
        before = repr((time.time() if now is None else now) - older_than_seconds)
        purged = 0
        with self._errors("delete old delivered notices"):
            while (count := int(self._run(scripts.PURGE, before, PAGE))) > 0:
                purged += count
                if count < PAGE:
                    break
        return purged


def _slot_key(slot: str) -> str:
    """The notice key at the end of a due slot (``next|attempts|enqueued|key``)."""
    return slot.split("|", 3)[3]


def _entry(fields: Sequence[Any]) -> OutboxEntry:
    key, channel, payload, status, attempts, next_at, enqueued_at, delivered_at, error = fields
    return OutboxEntry(
        key=key,
        channel=channel,
        notice=stored_notice(payload),
        status=status,
        attempts=int(attempts),
        next_attempt_at=float(next_at),
        enqueued_at=float(enqueued_at),
        delivered_at=None if delivered_at is None else float(delivered_at),
        last_error=error,
    )
