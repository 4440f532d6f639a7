"""Elasticsearch's exceptions turned into Kikimimi's where they leave a stage.

The indexer and alerts stages wrap every public entry that talks to Elasticsearch in
:func:`elasticsearch_errors`, so the application only ever sees :class:`ElasticsearchError`.
``elastic_transport`` is imported on first use: processes that never hold a client (crawlers,
NLP) do not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from core.errors import (
    ElasticsearchError,
    ElasticsearchRequestError,
    ElasticsearchUnavailableError,
)

__all__ = ["elasticsearch_errors", "error_reason", "is_transient_status", "response_error"]


def is_transient_status(status: int) -> bool:
    """Whether a status from Elasticsearch may pass by itself (429, 5xx)."""
    return status == 429 or status >= 500


def error_reason(error: Any) -> str:
    """An Elasticsearch error object as ``type: reason (caused by ...)``."""
    if isinstance(error, Mapping):
        caused = error.get("caused_by")
        text = f"{error.get('type')}: {error.get('reason')}"
        return f"{text} (caused by {error_reason(caused)})" if caused else text
    return str(error)


def response_error(operation: str, status: int, error: Any) -> ElasticsearchError:
    """The error for a failed ``status`` with its ``error`` object: of a response, or of one
    item of a bulk or msearch response."""
    reason = _one_line(error_reason(error))
    if is_transient_status(status):
        return ElasticsearchUnavailableError(operation, reason, status)
    return ElasticsearchRequestError(operation, status, reason)


@contextmanager
def elasticsearch_errors(operation: str) -> Iterator[None]:
    """Around a block, or as a decorator: the client's errors leave it as
    :class:`ElasticsearchUnavailableError` (unreachable, timed out, 429, 5xx) or
    :class:`ElasticsearchRequestError` (another status), naming ``operation``."""
    from elastic_transport import ApiError, TransportError  # noqa: PLC0415 - loaded with a client

    try:
        yield
    except ApiError as exc:
        body = exc.body if isinstance(exc.body, Mapping) else {}
        raise response_error(operation, exc.meta.status, body.get("error") or exc.message) from exc
    except TransportError as exc:
        raise ElasticsearchUnavailableError(operation, _one_line(str(exc))) from exc


def _one_line(text: str) -> str:
    return " ".join(text.split())
