"""A theme encoder that embeds only what its cache (:class:`nlp.embedding_cache.EmbeddingCache`)
lacks: one per process, shared by its threads.

The cache file is opened on first use (the encoder's identity, which keys it, may take a
moment: :attr:`nlp.E5SentenceEncoder.identity`). Texts missing from the cache are embedded one
call at a time: a call that waited for another looks in the cache again first, so two requests
asking for the same new posts embed them once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from nlp.embedding_cache import EmbeddingCache
from nlp.themes import ThemeEncoder
from nlp.topics import Embeddings


class IdentifiedEncoder(ThemeEncoder, Protocol):
    """A theme encoder that can say which model it is (:attr:`nlp.E5SentenceEncoder.identity`):
    another identity, other embeddings."""

    @property
    def identity(self) -> str: ...


class CachedThemeEncoder:
    """``encoder`` (a :class:`nlp.ThemeEncoder`) behind an embedding cache in the file at
    ``path``, holding at most ``max_entries`` embeddings."""

    def __init__(self, encoder: IdentifiedEncoder, path: Path, *, max_entries: int) -> None:
        self.encoder = encoder
        self.path = path
        self.max_entries = max_entries
        self._cache: EmbeddingCache | None = None
        self._open_lock = threading.Lock()
        self._encode_lock = threading.Lock()

    @property
    def centre(self) -> Embeddings:
        return self.encoder.centre

    def uncached(self, texts: Sequence[str]) -> list[int]:
        """The positions of the texts that :meth:`encode` would have to embed."""
        return [row for row, found in enumerate(self.cache().get(texts)) if found is None]

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """One embedding row per text, in input order: cached ones read, others embedded
        (each distinct text once) and cached."""
        cache = self.cache()
        found = cache.get(texts)
        missing = [text for text, row in zip(texts, found, strict=True) if row is None]
        embedded = self._embed(cache, list(dict.fromkeys(missing))) if missing else {}
        rows = [
            embedded[text] if row is None else row for text, row in zip(texts, found, strict=True)
        ]
        if not rows:
            return np.zeros((0, len(self.centre)), dtype=np.float32)
        return np.stack(rows)

    def cache(self) -> EmbeddingCache:
        """The cache, opened on first use."""
        with self._open_lock:
            if self._cache is None:
                identity = self.encoder.identity
                self._cache = EmbeddingCache(self.path, identity, max_entries=self.max_entries)
            return self._cache

    def close(self) -> None:
        with self._open_lock:
            if self._cache is not None:
                self._cache.close()
                self._cache = None

    def _embed(self, cache: EmbeddingCache, texts: list[str]) -> dict[str, Embeddings]:
        with self._encode_lock:
            embedded = {
                text: row
                for text, row in zip(texts, cache.get(texts), strict=True)
                if row is not None
            }
            still = [text for text in texts if text not in embedded]
            if still:
                fresh = self.encoder.encode(still)
                cache.put(still, fresh)
                embedded.update(zip(still, fresh, strict=True))
        return embedded
