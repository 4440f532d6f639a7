"""Soft labels from a trained teacher model for every training text (distillation).

The teacher's raw probabilities (temperature 1) are the targets, not its calibrated ones, so
calibrating the teacher again later does not change what a student learns from it. Scoring
~100k texts with a 12-layer teacher takes a while on CPU, so the labels can be cached in a
``.npz`` file, used only when it holds the same texts scored by the same teacher weights.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from nlp.classifier import WEIGHTS_FILE, load_model
from nlp.inference import torch_predict
from nlp.training.train import TeacherLabels

CHUNK = 2048


def teacher_labels(
    teacher_dir: Path,
    texts: Sequence[str],
    progress: Callable[[str], None],
    cache: Path | None = None,
) -> dict[str, TeacherLabels]:
    """The teacher's probabilities for each text."""
    key = _cache_key(teacher_dir, texts)
    if cache is not None and cache.exists():
        stored = np.load(cache)
        if str(stored["key"]) == key:
            progress(f"teacher labels read from {cache}")
            return _labels(texts, stored["sentiment"], stored["complaint"])
    model, config = load_model(teacher_dir)
    sentiment = np.zeros((len(texts), 3), dtype=np.float32)
    complaint = np.zeros(len(texts), dtype=np.float32)
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        probabilities, complaint_p, _ = torch_predict(model, chunk, config.max_length)
        sentiment[start : start + len(chunk)] = probabilities
        complaint[start : start + len(chunk)] = complaint_p
        progress(f"teacher labels: {start + len(chunk)}/{len(texts)} texts")
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(".partial.npz")
        np.savez(partial, key=np.array(key), sentiment=sentiment, complaint=complaint)
        partial.replace(cache)
    return _labels(texts, sentiment, complaint)


def _labels(
    texts: Sequence[str], sentiment: np.ndarray, complaint: np.ndarray
) -> dict[str, TeacherLabels]:
    return {
        text: TeacherLabels(
            sentiment=(float(row[0]), float(row[1]), float(row[2])), complaint=float(c)
        )
        for text, row, c in zip(texts, sentiment, complaint, strict=True)
    }


def _cache_key(teacher_dir: Path, texts: Sequence[str]) -> str:
    digest = hashlib.sha256((teacher_dir / WEIGHTS_FILE).read_bytes())
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()
