"""Which parts of the main job one state directory allows only once.

A part whose work lives in files of the state directory runs in one process per state
directory at most. Each such part has its lock, an exclusive ``flock`` on
``<state_dir>/run/<part>.lock`` that names the holder's PID; the kernel releases it when the
process ends, however it ends (``kill -9`` included). So a scheduler, a pipeline and a
notifier may run as separate processes of one machine, but never two of one kind where that
would go wrong:

- the **pipeline**, while the queue is SQLite (``queue.backend: sqlite``): it claims as the
  consumer ``pipeline`` and, when it starts, takes back what that consumer held before a
  crash, so a second one would take the first one's claims. With the Redis queue each worker
  is a consumer of its own: any number run, on any number of machines.
- the **scheduler**, while the queue is SQLite: the deployment is this one machine, and the
  lock makes its one scheduler. With the Redis queue a lease in Redis elects one among any
  number (:mod:`kikimimi.leadership`).
- the **notifier**, while the outbox is SQLite (``outbox.backend: sqlite``): the outbox is a
  file of the state directory, and a notifier hands back every lease in it when it starts,
  so one notifier per state directory. With the Redis outbox, any number.

The web app takes no lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

from config import Settings, run_lock_path
from core import StateInUseError

__all__ = ["LOCKED_PARTS", "exclusive_parts", "holding_parts", "lock_holders"]

LOCKED_PARTS = ("scheduler", "pipeline", "notifier")

SQLITE_QUEUE_ADVICE = (
    "with queue.backend: sqlite, one {part} runs per state directory: stop it first, or set "
    "queue.backend: redis (and the redis section) to run several"
)
NOTIFIER_ADVICE = (
    "with outbox.backend: sqlite, one notifier runs per state directory: stop it first, or "
    "set outbox.backend: redis to run several"
)


def exclusive_parts(settings: Settings, parts: Sequence[str]) -> dict[str, str]:
    """Of ``parts``, those this state directory allows once, each with the advice its
    refusal gives."""
    sqlite_queue = settings.queue.backend == "sqlite"
    advice = {
        "pipeline": SQLITE_QUEUE_ADVICE.format(part="pipeline") if sqlite_queue else None,
        "scheduler": SQLITE_QUEUE_ADVICE.format(part="scheduler") if sqlite_queue else None,
        "notifier": NOTIFIER_ADVICE if settings.outbox.backend == "sqlite" else None,
    }
    return {part: text for part in parts if (text := advice.get(part)) is not None}


@contextmanager
def holding_parts(settings: Settings, parts: Sequence[str]) -> Iterator[None]:
    """Hold the locks of ``parts`` that the state directory allows once, for the block;
    :class:`StateInUseError` naming the part, the holder's PID and the advice when another
    process holds one."""
    with ExitStack() as locks:
        for part, advice in exclusive_parts(settings, parts).items():
            locks.enter_context(_holding(settings, part, advice))
        yield


@contextmanager
def _holding(settings: Settings, part: str, advice: str) -> Iterator[None]:
    path = run_lock_path(settings, part)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(lock, 32, 0).decode("ascii", errors="replace").strip()
            raise StateInUseError(
                settings.state_dir, int(holder) if holder.isdigit() else None, part, advice
            ) from None
        _write_pid(lock)
        yield
    finally:
        os.close(lock)


def lock_holders(settings: Settings) -> dict[str, int | None]:
    """The parts whose lock some process holds on this state directory now, each with the
    holder's PID (None if unknown)."""
    held: dict[str, int | None] = {}
    for part in LOCKED_PARTS:
        path = run_lock_path(settings, part)
        if not path.exists():
            continue
        lock = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(lock, 32, 0).decode("ascii", errors="replace").strip()
            held[part] = int(holder) if holder.isdigit() else None
        finally:
            os.close(lock)
    return held


def _write_pid(lock: int) -> None:
    """Name this process in the lock file. On a full disk it stays unnamed: the lock holds
    all the same (and a second run says the PID is unknown)."""
    os.ftruncate(lock, 0)
    try:
        os.pwrite(lock, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:
        os.ftruncate(lock, 0)
