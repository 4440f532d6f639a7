"""The server's logging: uvicorn's own configuration, except that the access log shows each
request's path without its query string. Nothing else of a request is logged: no header
(``Authorization``, ``Cookie``), no body (passwords, CSRF tokens)."""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

_PATH = 2  # uvicorn's access record: (client, method, path with query, HTTP version, status)


class PathOnly(logging.Filter):
    """Drops the query string from uvicorn's access log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH:
            path = args[_PATH]
            if isinstance(path, str):
                record.args = (*args[:_PATH], path.split("?", 1)[0], *args[_PATH + 1 :])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with :class:`PathOnly` on the access log."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["path_only"] = {"()": PathOnly}
    config["handlers"]["access"].setdefault("filters", []).append("path_only")
    return config
