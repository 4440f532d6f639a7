"""One ``kikimimi run`` per state directory.

The main job owns the queue's and the outbox's claims: a second one on the same state
directory would release the first one's claims and process mentions twice. So the job holds
an exclusive ``flock`` on ``<state_dir>/run.lock`` (which names its PID) while it runs; the
kernel releases it when the process ends, however it ends (``kill -9`` included).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from config import Settings, run_lock_path
from core import StateInUseError

__all__ = ["holding_state_dir"]


@contextmanager
def holding_state_dir(settings: Settings) -> Iterator[None]:
    """Hold the state directory for the block; :class:`StateInUseError` naming the holder's
    PID when another process holds it."""
    path = run_lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(lock, 32, 0).decode("ascii", errors="replace").strip()
            raise StateInUseError(
                settings.state_dir, int(holder) if holder.isdigit() else None
            ) from None
        _write_pid(lock)
        yield
    finally:
        os.close(lock)


def _write_pid(lock: int) -> None:
    """Name this process in the lock file. On a full disk it stays unnamed: the lock holds
    all the same (and a second run says the PID is unknown)."""
    os.ftruncate(lock, 0)
    try:
        os.pwrite(lock, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:
        os.ftruncate(lock, 0)
