"""Faults a channel stand-in can be told to show: fail N requests, go down, hold requests."""

from __future__ import annotations

import threading

from standins.server import Reply

__all__ = ["ChannelFaults"]


class ChannelFaults:
    """Fail the next N requests, or all until switched back, or hold them until released."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._remaining = 0
        self._down = False
        self._reply: Reply | None = None
        self._gate: threading.Event | None = None

    def fail(self, times: int, reply: Reply) -> None:
        with self._lock:
            self._remaining, self._reply = times, reply

    def go_down(self, reply: Reply) -> None:
        with self._lock:
            self._down, self._reply = True, reply

    def come_back(self) -> None:
        with self._lock:
            self._down, self._remaining = False, 0

    def hold(self) -> threading.Event:
        """Hold requests until the returned event is set (at most 60 s each)."""
        gate = threading.Event()
        with self._lock:
            self._gate = gate
        return gate

    def take(self) -> Reply | None:
        """The fault reply for this request, or None to answer normally."""
        with self._lock:
            gate = self._gate
        if gate is not None:
            gate.wait(60)
        with self._lock:
            if self._down:
                return self._reply
            if self._remaining > 0:
                self._remaining -= 1
                return self._reply
        return None
