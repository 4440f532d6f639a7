"""``kikimimi web``: the app served by uvicorn until SIGINT or SIGTERM, which stop it
gracefully (requests in flight finish, the accounts store closes) and end the command with
exit status 0."""

from __future__ import annotations

import threading
from types import FrameType

import uvicorn

from config import Settings
from kikimimi.web.access_log import log_config
from kikimimi.web.app import create_app


class _Server(uvicorn.Server):
    """uvicorn's server, except that once a signal has stopped it gracefully the signal is
    not raised again (which would end the process by the signal, or as an interrupt)."""

    def __init__(self, config: uvicorn.Config, stopping: threading.Event) -> None:
        super().__init__(config)
        self.stopping = stopping

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()
        self.stopping.set()  # the app's event streams end, so they do not hold up the stop


def serve(settings: Settings, *, host: str, port: int) -> bool:
    """Serve the web app on ``host:port`` until SIGINT or SIGTERM; ``False`` when it could
    not start (uvicorn has logged why, e.g. that the port is taken)."""
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=log_config(),
        server_header=False,
        proxy_headers=False,  # the app believes its configured proxies (kikimimi.web.proxies)
        lifespan="on",
    )
    try:
        _Server(config, app.state.stopping).run()
    except SystemExit:  # uvicorn's way to say that it could not start
        return False
    return True
