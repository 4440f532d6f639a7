"""``kikimimi demo`` against a cluster that answers but is not healthy: one project error
naming what the demo was doing, not Elasticsearch's own exception and its traceback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pydantic import AnyHttpUrl

from config.loader import load_settings
from core.errors import ElasticsearchUnavailableError
from kikimimi.demo.job import run_demo

CONFIG = Path(__file__).resolve().parents[2] / "config" / "kikimimi.yaml"
NO_MASTER = {
    "error": {"root_cause": [{"type": "master_not_discovered_exception", "reason": None}]}
    | {"type": "master_not_discovered_exception", "reason": None},
    "status": 503,
}


class _NoMaster(BaseHTTPRequestHandler):
    """Every request gets what a node whose cluster lost its master answers."""

    def _answer(self) -> None:
        body = json.dumps(NO_MASTER).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 - http.server names

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def unhealthy_cluster() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoMaster)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_demo_stops_with_one_project_error(tmp_path: Path, unhealthy_cluster: str) -> None:
    shipped = load_settings(CONFIG)
    es = shipped.elasticsearch.model_copy(update={"hosts": [AnyHttpUrl(unhealthy_cluster)]})
    settings = shipped.model_copy(update={"state_dir": tmp_path, "elasticsearch": es})
    with pytest.raises(ElasticsearchUnavailableError) as raised:
        run_demo(settings, print)
    message = str(raised.value)
    assert "clear the demo's indices" in message
    assert "master_not_discovered_exception" in message
    assert "\n" not in message
