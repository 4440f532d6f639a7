"""Sentence embeddings for what posts say: multilingual-e5-small, all 12 layers, untouched.

The care classifier's pooled embedding (:meth:`nlp.Analyzer.encode`) is trained for sentiment
and complaints, not for meaning: on paraphrased complaints (English and Japanese) among unrelated
ones, a post's nearest neighbour was a paraphrase of it for only 4 in 10 posts, against 10 in 10
with the base encoder the classifiers are cut from. So grouping posts by what they say uses that
base encoder as e5 was trained to be used: the ``query: `` prefix (e5's advice for symmetric
tasks such as clustering), mean pooling, L2 normalisation. It runs with torch (CPU or GPU) and
reads at most :data:`MAX_TOKENS` tokens of a post.

Its :attr:`~E5SentenceEncoder.centre` is the mean embedding of the 1,800 labelled posts of
``data/labelled`` (English and Japanese, every sentiment), shipped in :data:`CENTRE_FILE`
(``scripts/sentence_centre.py`` writes it): what any post has in common with any other, which
:mod:`nlp.themes` subtracts.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from core import ModelError
from nlp.batching import make_batches
from nlp.encoder import base_encoder
from nlp.inference import resolve_device
from nlp.topics import Embeddings

QUERY_PREFIX = "query: "
MAX_TOKENS = 64
MAX_CHARS = 2_000  # far more than MAX_TOKENS tokens of any script; bounds the tokenizer's work
CENTRE_FILE = Path(__file__).parent / "models" / "multilingual-e5-small-centre.npy"


class E5SentenceEncoder:
    """Turns texts into L2-normalised sentence embeddings (rows); build once, reuse."""

    def __init__(self, device: str = "auto", batch_size: int = 64) -> None:
        """``device``: ``auto``, ``cpu`` or ``cuda``, as ``nlp.device``."""
        self._device = resolve_device(device)
        encoder = base_encoder(12)
        self._hidden_size = int(encoder.config.hidden_size)
        self._model = torch.nn.Module.to(encoder, self._device)  # typed, unlike BertModel.to
        self._batch_size = batch_size

    @functools.cached_property
    def centre(self) -> Embeddings:
        """The mean post embedding (read from :data:`CENTRE_FILE` on first use)."""
        try:
            centre: Embeddings = np.load(CENTRE_FILE).astype(np.float32)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read the mean post embedding {CENTRE_FILE}: {exc}") from exc
        if centre.shape != (self._hidden_size,):
            raise ModelError(
                f"{CENTRE_FILE} holds an array of shape {centre.shape}, not one embedding of "
                f"{self._hidden_size} values: rerun scripts/sentence_centre.py"
            )
        return centre

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """One embedding row per text, in input order."""
        prefixed = [QUERY_PREFIX + text[:MAX_CHARS] for text in texts]
        embeddings = np.zeros((len(texts), self._hidden_size), dtype=np.float32)
        for batch in make_batches(prefixed, MAX_TOKENS, self._batch_size):
            ids = torch.from_numpy(batch.input_ids).to(self._device)
            mask = torch.from_numpy(batch.attention_mask).to(self._device)
            with torch.inference_mode():
                hidden = self._model(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            embeddings[batch.rows] = torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy()
        return embeddings
