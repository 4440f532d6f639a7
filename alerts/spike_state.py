"""Where the spike detector keeps each brand's streak and last alert between evaluations.

:class:`FileSpikeState` is a small JSON file in the state directory, for a deployment on one
machine. :class:`RedisSpikeState` is one Redis key, ``<prefix>:spikes:state``, for one whose
scheduler leader may move to another machine: the leader that takes over goes on with the
streaks and cooldowns its predecessor left, so it neither repeats an alert nor forgets a spike
it was confirming. Both write the whole state at once (a rename; a single ``SET``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from core import redis_errors

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["BrandSpikeState", "FileSpikeState", "RedisSpikeState", "SpikeState"]


@dataclass
class BrandSpikeState:
    """How many evaluations in a row a brand has spiked, and when it last alerted (ISO)."""

    streak: int = 0
    last_alert: str | None = None


class SpikeState(Protocol):
    """The detector's memory across evaluations and restarts."""

    def load(self) -> dict[str, BrandSpikeState]: ...

    def save(self, states: Mapping[str, BrandSpikeState]) -> None: ...


def _encoded(states: Mapping[str, BrandSpikeState]) -> str:
    return json.dumps({brand: asdict(state) for brand, state in states.items()}, indent=1)


def _decoded(text: str) -> dict[str, BrandSpikeState]:
    return {brand: BrandSpikeState(**value) for brand, value in json.loads(text).items()}


class FileSpikeState:
    """The state in a JSON file, replaced whole on every save."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, BrandSpikeState]:
        if not self.path.exists():
            return {}
        return _decoded(self.path.read_text(encoding="utf-8"))

    def save(self, states: Mapping[str, BrandSpikeState]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".spikes-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(_encoded(states))
            Path(tmp).replace(self.path)
        except BaseException:  # a full disk, say: leave no partial file behind
            Path(tmp).unlink(missing_ok=True)
            raise


class RedisSpikeState:
    """The state as JSON in one Redis key, shared by every scheduler that may lead; failures
    leave as :class:`~core.errors.RedisError`."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.key = f"{prefix}:spikes:state"

    def load(self) -> dict[str, BrandSpikeState]:
        with redis_errors(f"read the spike detector's state (Redis key {self.key})"):
            text = self.client.get(self.key)
        return _decoded(str(text)) if text is not None else {}

    def save(self, states: Mapping[str, BrandSpikeState]) -> None:
        with redis_errors(f"save the spike detector's state (Redis key {self.key})"):
            self.client.set(self.key, _encoded(states))
