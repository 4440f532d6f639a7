"""The sentence encoder for themes: normalised rows in input order, and the shipped centre
is the mean embedding of the labelled posts (``scripts/sentence_centre.py``); its identity
and centre without building the model, and missing files as model errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core import ModelError
from nlp import E5SentenceEncoder, sentence_encoder
from nlp.onnx_export import LABELLED, LABELLED_FILES
from nlp.sentence_encoder import EMBEDDING_SIZE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encoder() -> E5SentenceEncoder:
    return E5SentenceEncoder(device="cpu")


def test_rows_are_normalised_and_in_input_order(encoder: E5SentenceEncoder) -> None:
    texts = ["eSIMが開通しない", "My eSIM won't activate", "x" * 50_000, ""]
    embeddings = encoder.encode(texts)
    assert embeddings.shape == (4, 384)
    assert np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    assert np.allclose(embeddings[1], encoder.encode(texts[1:2])[0], atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_the_shipped_centre_is_the_mean_of_the_labelled_posts(encoder: E5SentenceEncoder) -> None:
    texts = [
        json.loads(line)["text"]
        for name in LABELLED_FILES
        for line in (LABELLED / name).read_text(encoding="utf-8").splitlines()
    ]
    sample = encoder.encode(texts[::20]).mean(axis=0)  # 90 of the 1,800 posts
    centre = encoder.centre
    assert centre.shape == (384,)
    cosine = float(sample @ centre / np.linalg.norm(sample) / np.linalg.norm(centre))
    assert cosine > 0.998


def test_identity_and_centre_need_no_model() -> None:
    fresh = E5SentenceEncoder(device="cpu")

    identity = fresh.identity
    centre = fresh.centre

    assert fresh._loaded is None  # the model is built by the first encode only
    assert identity.startswith("multilingual-e5-small/") and len(identity) == 38
    assert identity == E5SentenceEncoder().identity
    assert centre.shape == (EMBEDDING_SIZE,)


def test_a_missing_centre_is_a_model_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sentence_encoder, "CENTRE_FILE", tmp_path / "missing.npy")

    with pytest.raises(ModelError, match="cannot read the mean post embedding"):
        _ = E5SentenceEncoder().centre


def test_missing_weights_are_a_model_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sentence_encoder, "weights_file", lambda: tmp_path / "missing.bin")
    sentence_encoder.sentence_encoder_identity.cache_clear()
    try:
        with pytest.raises(ModelError, match="cannot read the sentence encoder"):
            _ = E5SentenceEncoder().identity
    finally:
        sentence_encoder.sentence_encoder_identity.cache_clear()
