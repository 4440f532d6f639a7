"""Tokenize texts into padded batches of similar length (less padding, faster inference)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nlp.encoder import base_tokenizer


@dataclass(frozen=True)
class Batch:
    """Token ids and attention mask of some rows of the input (``rows``: their positions)."""

    rows: list[int]
    input_ids: npt.NDArray[np.int64]
    attention_mask: npt.NDArray[np.int64]


def make_batches(texts: Sequence[str], max_length: int, batch_size: int) -> list[Batch]:
    """Tokenize ``texts``, sort them by length and cut them into padded batches."""
    tokenizer = base_tokenizer()
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    pad = int(tokenizer.pad_token_id)
    batches = []
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        width = max(len(encoded[i]) for i in rows)
        ids = np.full((len(rows), width), pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, i in enumerate(rows):
            ids[r, : len(encoded[i])] = encoded[i]
            mask[r, : len(encoded[i])] = 1
        batches.append(Batch(rows, ids, mask))
    return batches
