"""The cached theme encoder: only texts its cache lacks are embedded, each once even when
threads ask for it together; another model identity embeds afresh; the file opens on first
use; and with the shipped encoder, cached embeddings are the encoder's own."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from nlp import CachedThemeEncoder, E5SentenceEncoder
from tests.nlp.recording_encoder import HashEncoder, Recording


def cached(path: Path, identity: str = "hash-encoder/1") -> tuple[CachedThemeEncoder, Recording]:
    recording = Recording(HashEncoder(identity))
    return CachedThemeEncoder(recording, path, max_entries=1_000), recording


def test_only_what_the_cache_lacks_is_embedded(tmp_path: Path) -> None:
    encoder, recording = cached(tmp_path / "embeddings.sqlite")
    try:
        first = encoder.encode(["a", "b", "a"])
        assert recording.embedded == ["a", "b"]  # each distinct text once
        assert encoder.uncached(["b", "c", "a", "d"]) == [1, 3]

        second = encoder.encode(["c", "b", "a"])

        assert recording.embedded == ["a", "b", "c"]
        assert np.array_equal(second[1:], first[[1, 0]])
        assert np.array_equal(second, HashEncoder().encode(["c", "b", "a"]))
        assert encoder.encode([]).shape == (0, 8)
    finally:
        encoder.close()


def test_the_cache_outlives_the_encoder_but_not_a_model_change(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    before, _ = cached(path)
    before.encode(["a", "b"])
    before.close()

    again, same_model = cached(path)
    changed, new_model = cached(path, identity="hash-encoder/2")
    try:
        again.encode(["a", "b"])
        changed.encode(["a", "b"])

        assert same_model.embedded == []
        assert new_model.embedded == ["a", "b"]
    finally:
        again.close()
        changed.close()


def test_threads_asking_together_embed_each_text_once(tmp_path: Path) -> None:
    encoder, recording = cached(tmp_path / "embeddings.sqlite")
    texts = [f"post {n}" for n in range(50)]
    barrier = threading.Barrier(6)

    def ask() -> None:
        barrier.wait()
        encoder.encode(texts)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    encoder.close()

    assert sorted(recording.embedded) == sorted(texts)


def test_nothing_is_opened_before_first_use(tmp_path: Path) -> None:
    encoder, _ = cached(tmp_path / "nlp" / "embeddings.sqlite")

    assert not (tmp_path / "nlp").exists()
    encoder.encode(["a"])
    assert (tmp_path / "nlp" / "embeddings.sqlite").exists()
    encoder.close()


@pytest.mark.slow
def test_with_the_shipped_encoder_a_cached_embedding_is_the_encoders_own(tmp_path: Path) -> None:
    shipped = E5SentenceEncoder(device="cpu")
    recording = Recording(shipped)
    encoder = CachedThemeEncoder(recording, tmp_path / "embeddings.sqlite", max_entries=1_000)
    texts = ["eSIMが開通しない", "My eSIM won't activate"]
    try:
        fresh = encoder.encode(texts)
        again = encoder.encode(texts[::-1])
    finally:
        encoder.close()

    assert recording.embedded == texts
    assert np.array_equal(again, fresh[::-1])
    assert np.allclose(fresh, shipped.encode(texts), atol=1e-6)
    assert np.array_equal(encoder.centre, shipped.centre)
