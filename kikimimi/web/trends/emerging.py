"""The app's one sentence encoder for the emerging themes (``/api/v1/trends/emerging``):
built by the first request that needs it (spaCy and torch load then, the model itself once a
post has to be embedded), shared by every request after it, closed with the app. Whatever
keeps it from working (its files missing) is a :class:`core.ModelError`: the request is
answered 503 with the reason, and the next request tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

if TYPE_CHECKING:
    from nlp import CachedThemeEncoder


class LazyThemeEncoder:
    """The encoder ``make`` builds (the app's: :func:`kikimimi.wiring.theme_encoder`), built
    on first use (thread-safe)."""

    def __init__(self, make: Callable[[], CachedThemeEncoder]) -> None:
        self.make = make
        self._lock = threading.Lock()
        self._encoder: CachedThemeEncoder | None = None

    def get(self) -> CachedThemeEncoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = self.make()
            return self._encoder

    def close(self) -> None:
        with self._lock:
            if self._encoder is not None:
                self._encoder.close()
                self._encoder = None


async def lazy_theme_encoder(request: Request) -> LazyThemeEncoder:
    """The app's :class:`LazyThemeEncoder` (a dependency; ``async`` so that it is not sent to
    a worker thread)."""
    encoder: LazyThemeEncoder = request.app.state.theme_encoder
    return encoder


ThemeEncoderService = Annotated[LazyThemeEncoder, Depends(lazy_theme_encoder)]
