"""Batched inference with torch (CPU or GPU); :mod:`nlp.batching` holds what backends share."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from core import ModelError
from nlp.batching import Array, Batch, BatchRunner, Outputs, make_batches, run_batches
from nlp.classifier import CareClassifier

CPU = torch.device("cpu")


def resolve_device(setting: str) -> torch.device:
    """The torch device for ``nlp.device``: ``auto`` is the GPU when torch sees one."""
    if setting == "cpu":
        return CPU
    if torch.cuda.is_available():
        return torch.device("cuda")
    if setting == "cuda":
        raise ModelError(
            "nlp.device is cuda, but torch sees no CUDA GPU (no GPU, no driver, or a CPU-only "
            "torch build); set nlp.device to auto or cpu"
        )
    return CPU


def torch_runner(model: CareClassifier, device: torch.device = CPU) -> BatchRunner:
    """Run one batch through the torch model (probabilities, like the ONNX export);
    ``model`` must already be on ``device``."""

    def run(batch: Batch) -> tuple[Array, Array, Array]:
        with torch.inference_mode():
            logits, complaint, embedding = model(
                torch.from_numpy(batch.input_ids).to(device),
                torch.from_numpy(batch.attention_mask).to(device),
            )
        return (
            torch.softmax(logits, dim=-1).cpu().numpy(),
            torch.sigmoid(complaint).cpu().numpy(),
            embedding.cpu().numpy(),
        )

    return run


def torch_predict(
    model: CareClassifier,
    texts: Sequence[str],
    max_length: int,
    batch_size: int = 64,
    device: torch.device = CPU,
) -> Outputs:
    """(sentiment probabilities, complaint probabilities, embeddings) in input order."""
    batches = make_batches(texts, max_length, batch_size)
    return run_batches(batches, len(texts), torch_runner(model, device))
