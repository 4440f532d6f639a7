"""Ask a node on 127.0.0.1 how it is, over plain HTTP, bypassing any proxy."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

_HOST = "127.0.0.1"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get_json(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """GET ``url`` and decode a JSON object; None when nothing usable answers."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            body = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def cluster_health(url: str) -> str | None:
    """``green``, ``yellow`` or ``red`` from ``_cluster/health``; None if not answering."""
    body = get_json(f"{url}/_cluster/health")
    status = body.get("status") if body else None
    return status if isinstance(status, str) else None


def node_version(url: str) -> str | None:
    """The version of the node answering at ``url``; None if not answering.

    Asks ``_nodes/_local``: the integ-test distribution lacks the rest-root module,
    so ``GET /`` (and the client's ``info()`` and ``ping()``) answer 405 there.
    """
    body = get_json(f"{url}/_nodes/_local?filter_path=nodes.*.version")
    nodes = body.get("nodes") if body else None
    if not isinstance(nodes, dict):
        return None
    versions = [n.get("version") for n in nodes.values() if isinstance(n, dict)]
    return next((v for v in versions if isinstance(v, str)), None)


def port_in_use(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((_HOST, port)) == 0
