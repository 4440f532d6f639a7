"""Redis clients, and Redis's exceptions turned into Kikimimi's where they leave a store.

The Redis stores (:mod:`core.redis_mention_queue`) wrap every command in
:func:`redis_errors`, so their callers only ever see :class:`RedisError`. ``redis`` is
imported on first use: processes that never hold a client do not pay for it.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import RedisError, RedisUnavailableError

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["redis_client", "redis_errors"]

RETRIES = 3
"""Retries of a command after a connection error (the client's backoff: 50 ms up to 1 s),
enough to ride out a restart or fail-over of a few seconds; longer outages are reported."""


def redis_client(
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    ca_certs: Path | None = None,
    timeout_seconds: float = 10.0,
    retries: int | None = None,
) -> Redis:
    """A client for ``url`` (``redis://`` or ``rediss://`` for TLS, ``/N`` the database),
    answering with text. Credentials come apart from the URL, so the URL can be shown;
    nothing connects yet. ``retries``: of a command after a connection error (default
    :data:`RETRIES`; 0 for a caller that must know within ``timeout_seconds``)."""
    from redis import Redis  # noqa: PLC0415 - loaded with a client
    from redis.backoff import ExponentialWithJitterBackoff  # noqa: PLC0415
    from redis.retry import Retry  # noqa: PLC0415

    tls = {"ssl_ca_certs": str(ca_certs)} if ca_certs is not None else {}
    return Redis.from_url(
        url,
        username=username,
        password=password,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        retry=Retry(
            ExponentialWithJitterBackoff(base=0.05, cap=1.0),
            RETRIES if retries is None else retries,
        ),
        decode_responses=True,
        protocol=2,  # RESP2: the reply shapes the stores read, whatever the client's default
        **tls,
    )


@contextmanager
def redis_errors(operation: str) -> Iterator[None]:
    """Around a block of Redis commands: a failure leaves it as
    :class:`RedisUnavailableError` when it may pass by itself (unreachable, timed out,
    loading, read-only, out of memory), else as :class:`RedisError` (credentials or TLS
    certificate refused, command refused), naming ``operation``."""
    from redis import exceptions  # noqa: PLC0415 - loaded with a client

    try:
        yield
    except (exceptions.AuthenticationError, exceptions.AuthorizationError) as exc:
        raise RedisError(operation, f"Redis refused the credentials: {exc}") from exc
    except exceptions.ConnectionError as exc:
        if isinstance(exc.__context__, ssl.SSLCertVerificationError):
            raise RedisError(
                operation, f"Redis's TLS certificate is not trusted: {_cause(exc)}"
            ) from exc
        raise RedisUnavailableError(operation, _cause(exc)) from exc
    except (exceptions.TimeoutError, exceptions.ReadOnlyError, exceptions.OutOfMemoryError) as exc:
        raise RedisUnavailableError(operation, _cause(exc)) from exc
    except exceptions.RedisError as exc:
        raise RedisError(operation, f"Redis refused it: {_cause(exc)}") from exc


def _cause(error: Exception) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
