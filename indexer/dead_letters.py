"""The dead-letter file: documents that failed permanently, each with its reason."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import disk_full_errors


class DeadLetterFile:
    """An append-only JSONL file of permanent failures."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, entries: list[Mapping[str, Any]]) -> None:
        """Append ``entries`` (each gets an ``at`` timestamp) and sync them to disk; when that
        fails (a full disk), the file is left as it was."""
        if not entries:
            return
        now = datetime.now(UTC).isoformat()
        lines = "".join(
            json.dumps({"at": now, **entry}, ensure_ascii=False, default=str) + "\n"
            for entry in entries
        )
        with disk_full_errors(f"the dead letters ({self.path})"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _append(self.path, lines.encode())

    def summary(self) -> tuple[int, str | None]:
        """How many entries there are, and the newest one's reason."""
        count, last = 0, ""
        if self.path.exists():
            with self.path.open(encoding="utf-8") as lines:
                for line in lines:
                    if line.strip():
                        count, last = count + 1, line
        return count, (json.loads(last).get("reason") if last else None)

    def read(self) -> list[dict[str, Any]]:
        """Every entry so far (oldest first)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]


def _append(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` and sync it, or leave the file as it was."""
    file = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        start = os.fstat(file).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(file, view) :]
            os.fsync(file)
        except OSError:
            os.ftruncate(file, start)
            raise
    finally:
        os.close(file)
