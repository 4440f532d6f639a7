"""A lease on one Redis key: at most one owner holds it at a time, until the owner releases
it or stops renewing it for ``ttl_seconds`` (it died, or lost Redis).

- ``acquire``: ``SET key owner NX PX ttl`` (when the key holds this owner already, a renewal);
- ``renew``: compare-and-set in a Lua script: the expiry moves on only while the key still
  holds this owner;
- ``release``: compare-and-delete in a Lua script, so an owner never deletes a successor's
  lease;
- ``holder``: who holds it and for how much longer.

Redis runs a script atomically, so no other command comes between its ``GET`` and its
``PEXPIRE`` or ``DEL``. Every failure leaves as :class:`~core.errors.RedisError`
(:func:`~core.redis_boundary.redis_errors`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.redis_boundary import redis_errors

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["LeaseHolder", "RedisLease"]

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a lease, and the seconds until it expires unless renewed (infinite when
    someone set the key without an expiry)."""

    owner: str
    expires_in: float


class RedisLease:
    """The lease ``key`` as ``owner`` sees it (nothing is asked of Redis yet)."""

    def __init__(self, client: Redis, key: str, owner: str, ttl_seconds: float) -> None:
        """``client`` answers with text (``decode_responses``), as
        :func:`~core.redis_boundary.redis_client`'s do."""
        self.client = client
        self.key = key
        self.owner = owner
        self.ttl_seconds = ttl_seconds
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)

    @property
    def _ttl_ms(self) -> int:
        return max(int(self.ttl_seconds * 1000), 1)

    def acquire(self) -> bool:
        """Take the lease if nobody holds it (or renew it if this owner does); whether this
        owner holds it now."""
        with redis_errors(f"acquire the lease {self.key}"):
            if self.client.set(self.key, self.owner, nx=True, px=self._ttl_ms):
                return True
            return bool(self._renew(keys=[self.key], args=[self.owner, self._ttl_ms]))

    def renew(self) -> bool:
        """Give the lease ``ttl_seconds`` more, if this owner still holds it; whether it did."""
        with redis_errors(f"renew the lease {self.key}"):
            return bool(self._renew(keys=[self.key], args=[self.owner, self._ttl_ms]))

    def release(self) -> bool:
        """Delete the lease if this owner holds it; whether it did."""
        with redis_errors(f"release the lease {self.key}"):
            return bool(self._release(keys=[self.key], args=[self.owner]))

    def holder(self) -> LeaseHolder | None:
        """Whoever holds the lease now (None: nobody)."""
        with redis_errors(f"read the lease {self.key}"):
            reading = self.client.pipeline(transaction=True)
            reading.get(self.key)
            reading.pttl(self.key)
            owner, pttl = reading.execute()
        if owner is None:
            return None
        return LeaseHolder(str(owner), int(pttl) / 1000 if int(pttl) >= 0 else math.inf)
