"""The node's process: its pid file, whether it lives, and stopping its process group."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

_POLL_SECONDS = 0.2
_KILL_GRACE_SECONDS = 10.0


def read_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file``; None when it is missing or garbled."""
    try:
        text = pid_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def write_pid(pid_file: Path, pid: int) -> None:
    """Record ``pid`` in ``pid_file``, replacing it atomically."""
    partial = pid_file.with_name(f".{pid_file.name}.tmp")
    partial.write_text(f"{pid}\n", encoding="ascii")
    partial.replace(pid_file)


def is_elasticsearch(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) Elasticsearch launcher or server."""
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    proc = Path("/proc") / str(pid)
    if not proc.is_dir():
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return False
    launcher = b"/bin/elasticsearch\0" in cmdline  # the script, before it execs java
    return state != "Z" and (launcher or b"org.elasticsearch." in cmdline)


def stop_group(pid: int, timeout: float) -> None:
    """SIGTERM the process group led by ``pid``, then SIGKILL it after ``timeout`` seconds."""
    _signal_group(pid, signal.SIGTERM)
    if _wait_group_gone(pid, timeout):
        return
    _signal_group(pid, signal.SIGKILL)
    _wait_group_gone(pid, _KILL_GRACE_SECONDS)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _wait_group_gone(pid: int, timeout: float) -> bool:
    """Wait until no process of the group is left; True if it is gone in time."""
    deadline = time.monotonic() + timeout
    while True:
        _reap(pid)
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)


def _reap(pid: int) -> None:
    """Collect ``pid``'s exit status if it is our exited child, so it leaves no zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
