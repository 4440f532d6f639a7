"""The base of every stand-in that runs in a background thread: start/stop and ``with``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

__all__ = ["BackgroundService"]


class BackgroundService(ABC):
    """Something that serves from a background thread: ``with service:`` starts and stops it."""

    @abstractmethod
    def start(self) -> Self:
        """Start serving; returns ``self``."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and release the port."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
