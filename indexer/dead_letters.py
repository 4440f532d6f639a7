"""The dead-letter file: documents that failed permanently, each with its reason."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class DeadLetterFile:
    """An append-only JSONL file of permanent failures."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, entries: list[Mapping[str, Any]]) -> None:
        """Append ``entries`` (each gets an ``at`` timestamp) and sync them to disk."""
        if not entries:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC).isoformat()
        with self.path.open("a", encoding="utf-8") as out:
            for entry in entries:
                out.write(json.dumps({"at": now, **entry}, ensure_ascii=False, default=str) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def read(self) -> list[dict[str, Any]]:
        """Every entry so far (oldest first)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
