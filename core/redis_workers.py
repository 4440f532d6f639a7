"""Worker heartbeats in Redis: every role process of ``kikimimi run``, on any machine, says
every few seconds that it is alive and what it has done; one silent for ``timeout_seconds``
is gone (it died, or lost Redis).

Keys: ``<prefix>:worker:<name>``, a hash of the last beat that expires ``timeout_seconds``
after it, and ``<prefix>:workers``, the set of names that lists them (a name whose hash has
expired is taken out of it when the workers are listed). Every failure leaves as
:class:`~core.errors.RedisError` (:func:`~core.redis_boundary.redis_errors`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from core.redis_boundary import redis_errors

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["RedisWorkerRegistry", "WorkerBeat"]

FORGET_GONE = """
for i, name in ipairs(ARGV) do
    if redis.call('EXISTS', KEYS[i + 1]) == 0 then
        redis.call('SREM', KEYS[1], name)
    end
end
return 0
"""
"""Takes the names whose hash has expired off the list, checking each again inside the
script: a worker that beat again since it was read stays on it."""


@dataclass(frozen=True)
class WorkerBeat:
    """One heartbeat: which process (its unique ``name``, role, host and PID), since when it
    runs, when it beat (Unix times) and how many mentions it has processed."""

    name: str
    role: str
    host: str
    pid: int
    started_at: float
    beat_at: float
    processed: int = 0


class RedisWorkerRegistry:
    """The heartbeats of one deployment (``prefix``); nothing is asked of Redis yet."""

    def __init__(self, client: Redis, prefix: str = "kikimimi", timeout_seconds: float = 15.0):
        """``client`` answers with text (``decode_responses``), as
        :func:`~core.redis_boundary.redis_client`'s do."""
        self.client = client
        self.index = f"{prefix}:workers"
        self.prefix = f"{prefix}:worker:"
        self.timeout_seconds = timeout_seconds
        self._forget_gone = client.register_script(FORGET_GONE)

    def beat(self, beat: WorkerBeat) -> None:
        """Record ``beat``; the worker counts as alive for ``timeout_seconds`` after it."""
        key = self.prefix + beat.name
        with redis_errors(f"record the heartbeat of {beat.name} in {key}"):
            transaction = self.client.pipeline(transaction=True)
            transaction.hset(key, mapping={k: str(v) for k, v in asdict(beat).items()})
            transaction.pexpire(key, max(int(self.timeout_seconds * 1000), 1))
            transaction.sadd(self.index, beat.name)
            transaction.execute()

    def leave(self, name: str) -> None:
        """Take the worker ``name`` off the list at once (it stops cleanly)."""
        with redis_errors(f"remove the heartbeat of {name} from {self.index}"):
            transaction = self.client.pipeline(transaction=True)
            transaction.delete(self.prefix + name)
            transaction.srem(self.index, name)
            transaction.execute()

    def alive(self) -> list[WorkerBeat]:
        """The workers whose last beat is younger than ``timeout_seconds``, by role and name;
        the names of the others leave the list."""
        with redis_errors(f"list the workers in {self.index}"):
            names = sorted(str(name) for name in self.client.smembers(self.index))
            reading = self.client.pipeline(transaction=False)
            for name in names:
                reading.hgetall(self.prefix + name)
            beats = reading.execute()
            gone = [name for name, fields in zip(names, beats, strict=True) if not fields]
            if gone:
                self._forget_gone(keys=[self.index, *(self.prefix + n for n in gone)], args=gone)
        alive = [_beat(fields) for fields in beats if fields]
        return sorted(alive, key=lambda beat: (beat.role, beat.name))


def _beat(fields: dict[str, str]) -> WorkerBeat:
    return WorkerBeat(
        name=fields["name"],
        role=fields["role"],
        host=fields["host"],
        pid=int(fields["pid"]),
        started_at=float(fields["started_at"]),
        beat_at=float(fields["beat_at"]),
        processed=int(fields.get("processed", "0")),
    )
