"""``kikimimi run --role web``: the web app, and what lives beside it.

It serves the web app as ``kikimimi web`` does (on ``web.host`` and ``web.port``) and
sweeps what the app keeps in the state directory of its machine: the expired browser
sessions of the users file, hourly (:mod:`kikimimi.session_sweeps`), and the emerging
themes' embeddings that the trends page reads, every ``trends.emerging_refresh_minutes``
(:mod:`kikimimi.emerging_warmup`). With the Redis queue it records a heartbeat like every
role process (:mod:`kikimimi.workers`). SIGINT or SIGTERM stop it gracefully.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from config import Settings
from kikimimi import wiring
from kikimimi.emerging_warmup import EmergingThemesWarmup
from kikimimi.session_sweeps import SESSION_SWEEP_SECONDS, SessionSweeps
from kikimimi.workers import Heartbeat, worker_registry

__all__ = ["run_web_role"]


def _now() -> datetime:
    return datetime.now(UTC)


class _SessionSweeper(threading.Thread):
    """Runs the session sweeps (the first at once) until ``stop`` is set."""

    def __init__(self, sweeps: SessionSweeps, stop: threading.Event) -> None:
        super().__init__(name="session-sweeps", daemon=True)
        self.sweeps = sweeps
        self.stop = stop

    def run(self) -> None:
        self.sweeps.run_when_due()
        while not self.stop.wait(SESSION_SWEEP_SECONDS):
            self.sweeps.run_when_due()


def run_web_role(settings: Settings, say: Callable[[str], None]) -> bool:
    """Serve until SIGINT or SIGTERM, with the sweeps beside; ``False`` when the web app
    could not start (uvicorn has logged why)."""
    from kikimimi.web import serve  # noqa: PLC0415 - FastAPI and uvicorn load only here

    stop = threading.Event()
    threads: list[threading.Thread] = [
        _SessionSweeper(SessionSweeps(settings, _now), stop),
        EmergingThemesWarmup.for_settings(
            settings, wiring.elasticsearch_client(settings), stop, _now
        ),
    ]
    for thread in threads:
        thread.start()
    heartbeat = (
        Heartbeat(worker_registry(settings), "web", lambda: 0)
        if settings.queue.backend == "redis"
        else None
    )
    if heartbeat is not None:
        heartbeat.begin()
    host, port = settings.web.host, settings.web.port
    say(f"serving the web app on http://{host}:{port} (Ctrl-C stops it)")
    try:
        return serve(settings, host=host, port=port)
    finally:
        stop.set()
        if heartbeat is not None:
            heartbeat.stop()
            heartbeat.registry.client.close()
        for thread in threads:
            thread.join()
