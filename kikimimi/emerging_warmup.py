"""The main job's warm-up of the emerging themes (``/api/v1/trends/emerging``), on a thread of
its own so that the pipeline never waits for it.

Every ``trends.emerging_refresh_minutes`` (0: never), the posts the trends page asks about
first — the negative posts without a topic about any configured brand, the newest
:data:`indexer.UNTOPICKED_LIMIT` of the last :data:`indexer.DEFAULT_PERIOD` and of the period
before — that the embedding cache lacks are embedded, newest first, at most
:data:`WARMUP_POSTS` per run, :data:`CHUNK` at a time (a stop is heard between chunks). So the
page's requests read their embeddings instead of computing them. The first run comes one
interval after the job starts (the cache outlives restarts) and loads the sentence encoder's
libraries (torch, spaCy) into the job; the model itself loads once there is something to
embed. A failure (Elasticsearch unreachable, the model missing, the cache file
locked past its busy timeout or its disk full) is one warning; the next interval tries
again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from elasticsearch import Elasticsearch

from config import Settings
from core import IndexNames, KikimimiError
from indexer import DEFAULT_PERIOD
from kikimimi import wiring

if TYPE_CHECKING:
    from nlp import CachedThemeEncoder

__all__ = ["CHUNK", "WARMUP_POSTS", "EmergingThemesWarmup", "Warmup"]

logger = logging.getLogger(__name__)

WARMUP_POSTS = 512
"""Posts embedded per run at most (some 20 s of one CPU core; a GPU takes a second)."""
CHUNK = 32


@dataclass(frozen=True)
class Warmup:
    """One run: posts embedded, posts still missing from the cache, seconds taken."""

    embedded: int
    left: int
    seconds: float


class EmergingThemesWarmup(threading.Thread):
    """Embeds the trends page's new posts every interval until ``stop`` is set, with the
    encoder ``make_encoder`` builds on the first run (closed when the thread ends)."""

    def __init__(
        self,
        settings: Settings,
        client: Elasticsearch,
        names: IndexNames,
        make_encoder: Callable[[], CachedThemeEncoder],
        *,
        stop: threading.Event,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(name="emerging-themes-warmup", daemon=True)
        self.settings = settings
        self.client = client
        self.names = names
        self.make_encoder = make_encoder
        self.stop = stop
        self.clock = clock
        self.every_seconds = settings.trends.emerging_refresh_minutes * 60
        self._encoder: CachedThemeEncoder | None = None

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        client: Elasticsearch,
        stop: threading.Event,
        clock: Callable[[], datetime],
    ) -> EmergingThemesWarmup:
        """The warm-up of the configured brands on the state directory's embedding cache."""
        names = wiring.index_names(settings)
        return cls(
            settings, client, names, lambda: wiring.theme_encoder(settings), stop=stop, clock=clock
        )

    def run(self) -> None:
        try:
            while self.every_seconds > 0 and not self.stop.wait(self.every_seconds):
                try:
                    self.warm()
                except Exception:
                    logger.exception(
                        "emerging themes: the warm-up failed; the next interval tries again"
                    )
        finally:
            if self._encoder is not None:
                self._encoder.close()

    def warm(self) -> Warmup | None:
        """One run (see the module); ``None`` when it failed or there are no brands."""
        from kikimimi.emerging_themes import (  # noqa: PLC0415 - spaCy and torch load here
            unembedded_posts,
        )

        brands = [brand.name for brand in [*self.settings.brands, *self.settings.competitors]]
        if not brands:
            return None
        started = time.monotonic()
        end = self.clock()
        embedded = 0
        try:
            if self._encoder is None:
                self._encoder = self.make_encoder()
            missing = unembedded_posts(
                self.client,
                self.names,
                self._encoder,
                start=end - DEFAULT_PERIOD,
                end=end,
                brands=brands,
                excluded_names=self.settings.brand_words(),
            )
            for first in range(0, min(len(missing), WARMUP_POSTS), CHUNK):
                if self.stop.is_set():
                    break
                chunk = missing[first : min(first + CHUNK, WARMUP_POSTS)]
                self._encoder.encode(chunk)
                embedded += len(chunk)
        except KikimimiError as exc:
            logger.warning(
                "emerging themes: embedding new posts failed: %s; next try in %g min",
                exc,
                self.every_seconds / 60,
            )
            return None
        run = Warmup(embedded, len(missing) - embedded, time.monotonic() - started)
        if run.embedded:
            logger.info(
                "emerging themes: embedded %d new post(s) in %.1f s; %d still to embed",
                run.embedded,
                run.seconds,
                run.left,
            )
        return run
