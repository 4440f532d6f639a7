"""The ONNX Runtime backend: runs the classifier's int8 export, cached on disk.

The export (:mod:`nlp.onnx_export`) is built on first use or by ``kikimimi nlp build``; only
building it needs torch and the ONNX tools, so running a cached export starts in about a
second. The file's name carries a hash of the saved weights, so a new model release never
reuses a stale export, and :data:`EXPORT_VERSION`, so a new recipe never reuses an old one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import onnxruntime as ort

from nlp.batching import Array, Batch, Outputs, make_batches, run_batches
from nlp.model_config import WEIGHTS_FILE

EXPORT_VERSION = 5  # bump when the recipe in nlp.onnx_export changes (5: int8 but down-projections)


def export_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the int8 export of the model in ``model_dir`` is cached."""
    digest = hashlib.sha256((model_dir / WEIGHTS_FILE).read_bytes()).hexdigest()[:16]
    return (
        cache_dir / "models" / f"{model_dir.name}-{digest}" / f"model-int8-v{EXPORT_VERSION}.onnx"
    )


def build_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """The int8 export of the model in ``model_dir``: the cached file, built first if missing."""
    target = export_path(model_dir, cache_dir)
    if not target.exists():
        from nlp.onnx_export import export_int8  # noqa: PLC0415 - torch loads only to build

        export_int8(model_dir, target)
    return target


class OnnxClassifier:
    """Runs the int8 export with ONNX Runtime on the CPU."""

    def __init__(self, path: Path, max_length: int, threads: int | None = None) -> None:
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.max_length = max_length

    def run(self, batch: Batch) -> tuple[Array, Array, Array]:
        """Run one prepared batch."""
        sentiment, complaint, embedding = self._session.run(
            None, {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
        )
        return sentiment, complaint, embedding

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> Outputs:
        """(sentiment probabilities, complaint probabilities, embeddings) in input order."""
        batches = make_batches(texts, self.max_length, batch_size)
        return run_batches(batches, len(texts), self.run)
