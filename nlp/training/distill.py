"""Soft labels from a trained teacher model for every training text (distillation).

The teacher's raw probabilities (temperature 1) are the targets, not its calibrated ones, so
calibrating the teacher again later does not change what a student learns from it. Scoring
~100k texts with a 12-layer teacher takes a while on CPU, so the labels can be cached in a
``.npz`` file, used only when it holds the same texts scored by the same teacher weights.
A student may also start from the teacher's own weights: its embeddings, its heads and
evenly spaced layers ending with the last one (as DistilBERT starts from every other layer).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from core import ModelError
from nlp.classifier import WEIGHTS_FILE, CareClassifier, load_model
from nlp.inference import torch_predict
from nlp.training.train import TeacherLabels

CHUNK = 2048
LAYER_PREFIX = "encoder.encoder.layer."


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


def teacher_layers(teacher_layers_count: int, student_layers: int) -> list[int]:
    """Which teacher layers a student of ``student_layers`` starts from: evenly spaced, the
    last one included (12 -> 6: 1, 3, 5, 7, 9, 11)."""
    if not 1 <= student_layers <= teacher_layers_count:
        raise ValueError(f"a student needs 1..{teacher_layers_count} layers, got {student_layers}")
    return [
        round((i + 1) * teacher_layers_count / student_layers) - 1 for i in range(student_layers)
    ]


def student_from_teacher(teacher_dir: Path, num_layers: int) -> CareClassifier:
    """A ``num_layers`` classifier holding the teacher's embeddings, heads and layers."""
    teacher, config = load_model(teacher_dir)
    if num_layers > config.num_layers:
        raise ModelError(
            f"the teacher in {teacher_dir} has {config.num_layers} layers: a student started "
            f"from it cannot have {num_layers}"
        )
    # every weight comes from the teacher (word embeddings included): no base encoder to build
    student = CareClassifier(num_layers, pretrained=False)
    position = {
        kept: index for index, kept in enumerate(teacher_layers(config.num_layers, num_layers))
    }
    state = {}
    for name, tensor in teacher.state_dict().items():
        if not name.startswith(LAYER_PREFIX):
            state[name] = tensor
            continue
        index, rest = name.removeprefix(LAYER_PREFIX).split(".", 1)
        if int(index) in position:
            state[f"{LAYER_PREFIX}{position[int(index)]}.{rest}"] = tensor
    student.load_state_dict(state)
    return student
