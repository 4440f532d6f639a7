"""A full disk under the state directory, told apart from every other write failure.

Writers of state files (the queue, the spool, the dead letters, and the application around
the outbox) wrap their writes in :func:`disk_full_errors`, so a full disk leaves them as one
:class:`~core.errors.StorageFullError` (retryable once there is space) instead of SQLite's or
the OS's own error.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import StorageFullError

__all__ = ["disk_full_errors"]

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
NEARLY_FULL_BYTES = 1 << 20


@contextmanager
def disk_full_errors(what: str, path: Path | None = None) -> Iterator[None]:
    """Around a block that writes ``what`` (e.g. ``the mention queue (PATH)``): a full disk
    leaves it as :class:`StorageFullError`; any other error passes unchanged.

    SQLite says "disk full" only for its database and journal; when it cannot grow its
    other files it says "disk I/O error". With ``path`` (the file written), such an I/O
    error counts as a full disk when less than :data:`NEARLY_FULL_BYTES` are free there.
    """
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        if not _is_disk_full(exc, path):
            raise
        raise StorageFullError(what, _cause(exc)) from exc


def _is_disk_full(error: OSError | sqlite3.Error, path: Path | None) -> bool:
    if isinstance(error, OSError):
        return error.errno in _FULL_ERRNOS
    code = error.sqlite_errorcode
    if code == sqlite3.SQLITE_FULL:
        return True
    return code & 0xFF == sqlite3.SQLITE_IOERR and path is not None and _nearly_full(path)


def _nearly_full(path: Path) -> bool:
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("/"))
    stats = os.statvfs(existing)
    return stats.f_bavail * stats.f_frsize < NEARLY_FULL_BYTES


def _cause(error: OSError | sqlite3.Error) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)
