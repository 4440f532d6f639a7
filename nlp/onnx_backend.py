"""The ONNX Runtime backend: runs the classifier's int8 export, cached on disk.

The export (:mod:`nlp.onnx_export`) is built on first use or by ``kikimimi nlp build``; only
building it needs torch and the ONNX tools, so running a cached export starts in about a
second. The file's name carries a hash of the saved weights, so a new model release never
reuses a stale export, :data:`EXPORT_VERSION`, so a new recipe never reuses an old one, and the
recipe this CPU gets (:func:`int8_recipe`), so a cache shared between machines stays right.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path

import onnxruntime as ort

from nlp.batching import CPU_BATCH_SIZE, Array, Batch, Outputs, make_batches, run_batches
from nlp.model_config import WEIGHTS_FILE

EXPORT_VERSION = 7  # bump when a recipe in nlp.onnx_export changes (7: no SkipLayerNorm/BiasGelu)
CPU_INFO = Path("/proc/cpuinfo")
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
# ONNX Runtime's own fusions that would undo the export's plain Add + LayerNormalization and
# Add + Gelu: its SkipLayerNormalization and BiasGelu CPU kernels are the slower ones (1.32.0,
# 32 posts x 40 tokens: 1.47 ms against 0.40 for Add, Add, LayerNormalization; BiasGelu 2.19 ms
# against 1.76 for Add, Gelu, with the same output)
SLOWER_FUSIONS = ("SkipLayerNormFusion", "BiasGeluFusion")


@functools.cache  # the CPU does not change while the process runs
def int8_recipe(cpu_info: Path = CPU_INFO) -> str:
    """``vnni`` where the CPU sums u8 x s8 products in 32 bits (AVX-512 VNNI, AVX-VNNI, AMX),
    else ``portable`` (also where the CPU's flags cannot be read): see :mod:`nlp.onnx_export`."""
    try:
        lines = cpu_info.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "portable"
    flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
    return "vnni" if VNNI_FLAGS & set(flags) else "portable"


def export_path(model_dir: Path, cache_dir: Path, recipe: str) -> Path:
    """Where the int8 export of the model in ``model_dir`` by ``recipe`` is cached."""
    digest = hashlib.sha256((model_dir / WEIGHTS_FILE).read_bytes()).hexdigest()[:16]
    name = f"model-int8-v{EXPORT_VERSION}-{recipe}.onnx"
    return cache_dir / "models" / f"{model_dir.name}-{digest}" / name


def build_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """The int8 export of the model in ``model_dir`` for this CPU: the cached file, built first
    if missing."""
    recipe = int8_recipe()
    target = export_path(model_dir, cache_dir, recipe)
    if not target.exists():
        from nlp.onnx_export import export_int8  # noqa: PLC0415 - torch loads only to build

        export_int8(model_dir, target, recipe)
    return target


def open_session(
    path: Path, threads: int | None = None, optimized_copy: Path | None = None
) -> ort.InferenceSession:
    """An ONNX Runtime CPU session on the export at ``path`` (``threads``: intra-op threads,
    default one per core), without :data:`SLOWER_FUSIONS`; ``optimized_copy``: where to save
    the graph as the session optimised it."""
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    if optimized_copy is not None:
        options.optimized_model_filepath = str(optimized_copy)
    return ort.InferenceSession(
        str(path),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(SLOWER_FUSIONS),
    )


class OnnxClassifier:
    """Runs the int8 export with ONNX Runtime on the CPU."""

    def __init__(self, path: Path, max_length: int, threads: int | None = None) -> None:
        self._session = open_session(path, threads)
        self.max_length = max_length

    def run(self, batch: Batch) -> tuple[Array, Array, Array]:
        """Run one prepared batch."""
        sentiment, complaint, embedding = self._session.run(
            None, {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
        )
        return sentiment, complaint, embedding

    def predict(self, texts: Sequence[str], batch_size: int = CPU_BATCH_SIZE) -> Outputs:
        """(sentiment probabilities, complaint probabilities, embeddings) in input order."""
        batches = make_batches(texts, self.max_length, batch_size)
        return run_batches(batches, len(texts), self.run)
