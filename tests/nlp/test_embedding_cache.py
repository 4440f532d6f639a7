"""The embedding cache on disk: embeddings come back bit for bit, only for the model that made
them; the least recently used go past the bound; several connections (processes) and threads
use one file at once; a file that cannot be used is a StateError."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core import StateError
from nlp.embedding_cache import TOUCH_SECONDS, EmbeddingCache
from tests.nlp.recording_encoder import HashEncoder


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "nlp" / "embeddings.sqlite"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(path: Path, clock: Clock) -> Iterator[EmbeddingCache]:
    store = EmbeddingCache(path, "model-a", max_entries=100, clock=clock)
    yield store
    store.close()


def test_a_cached_embedding_comes_back_bit_for_bit(cache: EmbeddingCache) -> None:
    texts = ["eSIM won't activate", "料金が高すぎる", "x" * 10_000]
    embeddings = HashEncoder().encode(texts)

    cache.put(texts, embeddings)
    found = cache.get(["料金が高すぎる", "not cached", "eSIM won't activate", "料金が高すぎる"])

    first, missing, second, again = found
    assert missing is None
    assert first is not None and second is not None and again is not None
    assert np.array_equal(first, embeddings[1])
    assert np.array_equal(second, embeddings[0])
    assert np.array_equal(again, embeddings[1])
    assert len(cache) == 3


def test_another_model_never_reads_them_and_replaces_them(
    cache: EmbeddingCache, path: Path
) -> None:
    cache.put(["a post"], HashEncoder().encode(["a post"]))
    other = EmbeddingCache(path, "model-b", max_entries=100)
    try:
        assert other.get(["a post"]) == [None]
        other.put(["another post"], HashEncoder().encode(["another post"]))

        assert cache.get(["a post"]) == [None]  # a model change invalidates the old rows
        assert (len(cache), len(other)) == (0, 1)
    finally:
        other.close()


def test_past_the_bound_the_least_recently_used_go(path: Path, clock: Clock) -> None:
    cache = EmbeddingCache(path, "model-a", max_entries=3, clock=clock)
    encoder = HashEncoder()
    try:
        for text in ["one", "two", "three"]:
            cache.put([text], encoder.encode([text]))
            clock.now += TOUCH_SECONDS + 1
        assert cache.get(["one"])[0] is not None  # used again: now the most recent

        cache.put(["four", "five"], encoder.encode(["four", "five"]))

        assert len(cache) == 3
        assert [row is not None for row in cache.get(["one", "two", "three", "four", "five"])] == [
            True,
            False,
            False,
            True,
            True,
        ]
    finally:
        cache.close()


def test_threads_and_connections_share_one_file(path: Path) -> None:
    encoder = HashEncoder()
    caches = [EmbeddingCache(path, "model-a", max_entries=10_000) for _ in range(2)]
    texts = [f"post {n}" for n in range(200)]
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        cache = caches[worker % 2]
        try:
            for start in range(worker, len(texts), 8):
                batch = texts[start : start + 5]
                cache.put(batch, encoder.encode(batch))
                found = cache.get(batch)
                assert all(row is not None for row in found)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        expected = encoder.encode(texts)
        found = caches[1].get(texts)
        assert all(
            row is not None and np.array_equal(row, want)
            for row, want in zip(found, expected, strict=True)
        )
    finally:
        for cache in caches:
            cache.close()


def test_a_file_that_cannot_be_made_is_a_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "nlp"
    blocker.write_text("not a directory", encoding="utf-8")

    with pytest.raises(StateError, match="the embedding cache"):
        EmbeddingCache(blocker / "embeddings.sqlite", "model-a", max_entries=10)
