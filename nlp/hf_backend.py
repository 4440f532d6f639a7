"""Bring your own model: a local Hugging Face sequence-classification model directory.

The directory holds ``config.json`` naming a ``*ForSequenceClassification`` architecture, the
weights and the tokenizer files (what ``save_pretrained`` writes). It is loaded offline
(``local_files_only``, no remote code) and run by torch on the CPU or a GPU.

The model's labels are mapped to kikimimi's by ``nlp.labels`` (a label already named negative,
neutral, positive or complaint, in any case, maps to itself); several labels may map to one
(a 5-star model: two to negative, one to neutral, two to positive). Sentiment probabilities
are the softmax over the labels mapped to a sentiment, summed per sentiment; a model without
a neutral label never says neutral. The complaint probability is the softmax share of the
labels mapped to complaint (the sigmoid of its logit in a multi-label model), and 0 when no
label maps to complaint: intent then comes from the question and praise rules alone.
Sentence embeddings (for topic similarity) are the L2-normalised mean of the last hidden
state over each post's tokens.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as hf_logging

from core import ModelError, escape_invisible
from nlp.batching import Array, Batch, Outputs, make_batches, run_batches
from nlp.model_config import CONFIG_FILE, SENTIMENT_LABELS, ModelConfig

TARGETS = (*SENTIMENT_LABELS, "complaint")
REQUIRED = ("negative", "positive")
MAX_LENGTH = 512
ARCHITECTURE_SUFFIX = "ForSequenceClassification"


@dataclass(frozen=True)
class LabelMap:
    """Which of the model's outputs (by index) count for each sentiment and for complaint."""

    sentiment: tuple[tuple[int, ...], ...]  # one tuple per SENTIMENT_LABELS entry
    complaint: tuple[int, ...]

    def sentiment_probabilities(self, logits: Array) -> Array:
        """(n x 3) probabilities of negative, neutral, positive."""
        columns = [index for indices in self.sentiment for index in indices]
        groups = np.repeat(np.arange(len(SENTIMENT_LABELS)), [len(i) for i in self.sentiment])
        assign = np.zeros((len(columns), len(SENTIMENT_LABELS)), dtype=np.float32)
        assign[np.arange(len(columns)), groups] = 1.0
        return np.asarray(_softmax(logits[:, columns]) @ assign, dtype=np.float32)

    def complaint_probabilities(self, logits: Array, *, multi_label: bool) -> Array:
        """(n,) complaint probabilities; zeros when no label means complaint."""
        if not self.complaint:
            return np.zeros(len(logits), dtype=np.float32)
        if multi_label:
            sigmoid = 1.0 / (1.0 + np.exp(-logits[:, self.complaint]))
            return np.asarray(sigmoid.max(axis=1), dtype=np.float32)
        return np.asarray(_softmax(logits)[:, self.complaint].sum(axis=1), dtype=np.float32)


def map_labels(model_labels: Sequence[str], configured: Mapping[str, str], where: Path) -> LabelMap:
    """The model's labels (in output order) mapped by ``nlp.labels`` (``configured``)."""
    known = _listed(model_labels)
    unknown = [label for label in configured if label not in model_labels]
    if unknown:
        raise ModelError(
            f"nlp.labels maps {_listed(unknown)}, which the model in {where} does not have; "
            f"its labels are {known}"
        )
    targets = [configured.get(label, label.lower()) for label in model_labels]
    unmapped = [label for label, t in zip(model_labels, targets, strict=True) if t not in TARGETS]
    if unmapped:
        raise ModelError(
            f"the model in {where} has labels {known}: map {_listed(unmapped)} to negative, "
            f"neutral, positive or complaint in nlp.labels"
        )
    missing = [target for target in REQUIRED if target not in targets]
    if missing:
        raise ModelError(
            f"no label of the model in {where} maps to {' or '.join(missing)}: its labels are "
            f"{known} (map them in nlp.labels)"
        )
    return LabelMap(
        sentiment=tuple(
            tuple(i for i, target in enumerate(targets) if target == sentiment)
            for sentiment in SENTIMENT_LABELS
        ),
        complaint=tuple(i for i, target in enumerate(targets) if target == "complaint"),
    )


class HfClassifier:
    """A Hugging Face sequence-classification model and its tokenizer, on one torch device."""

    def __init__(
        self, directory: Path, labels: Mapping[str, str], device: torch.device | None = None
    ) -> None:
        architecture = _architecture(directory)
        with _quiet():
            try:
                self._tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
                model = AutoModelForSequenceClassification.from_pretrained(
                    directory, local_files_only=True, dtype=torch.float32
                )
            except (OSError, ValueError, KeyError) as exc:
                raise ModelError(
                    f"cannot load the Hugging Face model in {directory}: {exc}"
                ) from exc
        settings = model.config
        names = [str(settings.id2label[i]) for i in range(int(settings.num_labels))]
        self.labels = map_labels(names, labels, directory)
        self._multi_label = settings.problem_type == "multi_label_classification"
        self._device = device or torch.device("cpu")
        self._model = model.to(self._device).eval()
        positions = int(getattr(settings, "max_position_embeddings", MAX_LENGTH))
        self.config = ModelConfig(
            name=directory.name,
            num_layers=int(getattr(settings, "num_hidden_layers", 0)),
            max_length=min(int(self._tokenizer.model_max_length), positions, MAX_LENGTH),
            base=f"{architecture} (Hugging Face model in {directory})",
        )

    def run(self, batch: Batch) -> tuple[Array, Array, Array]:
        """Sentiment probabilities, complaint probabilities and embeddings of one batch."""
        mask = torch.from_numpy(batch.attention_mask).to(self._device)
        with torch.inference_mode():
            output = self._model(
                input_ids=torch.from_numpy(batch.input_ids).to(self._device),
                attention_mask=mask,
                output_hidden_states=True,
            )
            hidden = output.hidden_states[-1]
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            embedding = torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy()
            logits = output.logits.float().cpu().numpy()
        return (
            self.labels.sentiment_probabilities(logits),
            self.labels.complaint_probabilities(logits, multi_label=self._multi_label),
            embedding,
        )

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> Outputs:
        """(sentiment probabilities, complaint probabilities, embeddings) in input order."""
        batches = make_batches(texts, self.config.max_length, batch_size, self._tokenizer)
        return run_batches(batches, len(texts), self.run)


def _architecture(directory: Path) -> str:
    data = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
    architectures = [str(a) for a in data.get("architectures") or []]
    suitable = [a for a in architectures if a.endswith(ARCHITECTURE_SUFFIX)]
    if not suitable:
        raise ModelError(
            f"the Hugging Face model in {directory} is {', '.join(architectures) or 'unnamed'}, "
            f"not a sequence-classification model (*{ARCHITECTURE_SUFFIX})"
        )
    return suitable[0]


@contextmanager
def _quiet() -> Iterator[None]:
    """No progress bars from transformers while loading."""
    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        if shown:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def _softmax(logits: Array) -> Array:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float32)


def _listed(labels: Sequence[str]) -> str:
    return ", ".join(escape_invisible(label) for label in labels)
