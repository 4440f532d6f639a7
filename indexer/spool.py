"""An on-disk spool of bulk bodies that could not reach Elasticsearch.

Each spool file is a ready NDJSON bulk body (action line, document line, ...), written
atomically (a write cut short, by a full disk for one, leaves no partial file), named so that
lexical order is write order. Replaying a file and deleting it
afterwards is safe to repeat: documents carry their ids, so a second delivery updates.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Sequence
from pathlib import Path

from core import disk_full_errors
from indexer.actions import BulkDoc


class Spool:
    """A directory of pending bulk bodies."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sequence = itertools.count()

    def write(self, docs: Sequence[BulkDoc]) -> Path:
        """Persist ``docs`` durably; return the new file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._sequence):06d}.ndjson"
        final = self.directory / name
        _write_atomically(final, docs)
        return final

    def pending(self) -> list[Path]:
        """Spool files waiting for replay, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.ndjson"))

    def pending_count(self) -> int:
        """How many documents are waiting in the spool."""
        return sum(len(read_spool_file(path)) for path in self.pending())

    def replace(self, path: Path, docs: Sequence[BulkDoc]) -> None:
        """Keep only ``docs`` of a partly replayed file (remove it when none are left)."""
        if not docs:
            path.unlink(missing_ok=True)
            return
        _write_atomically(path, docs)


def _write_atomically(path: Path, docs: Sequence[BulkDoc]) -> None:
    """Write ``docs`` as a bulk body to ``path`` via a synced temporary file and a rename;
    the temporary file is removed when that fails."""
    temporary = path.with_suffix(".tmp")
    with disk_full_errors(f"the indexer's spool ({path.parent})"):
        try:
            with temporary.open("wb") as out:
                for doc in docs:
                    out.write(doc.body())
                out.flush()
                os.fsync(out.fileno())
            temporary.replace(path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


def read_spool_file(path: Path) -> list[BulkDoc]:
    """The documents of one spool file."""
    lines = path.read_bytes().splitlines()
    return [BulkDoc.from_lines(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
