"""Batched inference: the torch backend, and the output arrays both backends fill."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import torch

from nlp.batching import Batch, make_batches
from nlp.classifier import CareClassifier

Array = npt.NDArray[np.float32]
Outputs = tuple[Array, Array, Array]
BatchRunner = Callable[[Batch], tuple[Array, Array, Array]]


def run_batches(batches: Sequence[Batch], count: int, run: BatchRunner) -> Outputs:
    """Run every batch and put the results back in input order."""
    sentiment = np.zeros((count, 3), dtype=np.float32)
    complaint = np.zeros(count, dtype=np.float32)
    embeddings = np.zeros((count, 0), dtype=np.float32)
    for batch in batches:
        probabilities, complaint_p, embedding = run(batch)
        if embeddings.shape[1] != embedding.shape[1]:
            embeddings = np.zeros((count, embedding.shape[1]), dtype=np.float32)
        sentiment[batch.rows] = probabilities
        complaint[batch.rows] = complaint_p
        embeddings[batch.rows] = embedding
    return sentiment, complaint, embeddings


def torch_runner(model: CareClassifier) -> BatchRunner:
    """Run one batch through the torch model (probabilities, like the ONNX export)."""

    def run(batch: Batch) -> tuple[Array, Array, Array]:
        with torch.inference_mode():
            logits, complaint, embedding = model(
                torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask)
            )
        return (
            torch.softmax(logits, dim=-1).numpy(),
            torch.sigmoid(complaint).numpy(),
            embedding.numpy(),
        )

    return run


def torch_predict(
    model: CareClassifier, texts: Sequence[str], max_length: int, batch_size: int = 64
) -> Outputs:
    """(sentiment probabilities, complaint probabilities, embeddings) in input order."""
    batches = make_batches(texts, max_length, batch_size)
    return run_batches(batches, len(texts), torch_runner(model))
