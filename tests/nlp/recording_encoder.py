"""Theme encoders for tests that count what is embedded: :class:`HashEncoder` (instant,
deterministic vectors from each text's hash, no model) and :class:`Recording` around any
encoder (the shipped one included)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import numpy as np

from nlp.cached_encoder import IdentifiedEncoder
from nlp.topics import Embeddings

DIMENSIONS = 8


class Recording:
    """``inner`` with every text it is asked to embed recorded in ``embedded`` (thread-safe)."""

    def __init__(self, inner: IdentifiedEncoder) -> None:
        self.inner = inner
        self.embedded: list[str] = []
        self._lock = threading.Lock()

    @property
    def identity(self) -> str:
        return self.inner.identity

    @property
    def centre(self) -> Embeddings:
        return self.inner.centre

    def encode(self, texts: Sequence[str]) -> Embeddings:
        with self._lock:
            self.embedded.extend(texts)
        return self.inner.encode(texts)


class HashEncoder:
    """L2-normalised vectors drawn from each text's SHA-256; its ``identity`` as given."""

    def __init__(self, identity: str = "hash-encoder/1") -> None:
        self.identity = identity
        self.centre: Embeddings = np.zeros(DIMENSIONS, dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> Embeddings:
        rows = [
            np.random.default_rng(list(hashlib.sha256(text.encode()).digest())).normal(
                size=DIMENSIONS
            )
            for text in texts
        ]
        matrix = np.array(rows, dtype=np.float32).reshape(len(texts), DIMENSIONS)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        embeddings: Embeddings = matrix / np.maximum(norms, 1e-9)
        return embeddings
