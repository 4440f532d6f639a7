"""``kikimimi nlp train``: train, evaluate on the held-out sets, save model and card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nlp.classifier import ModelConfig, save_model
from nlp.inference import torch_predict
from nlp.metrics import Report
from nlp.training.card import model_card
from nlp.training.data import load_corpus
from nlp.training.evaluate import evaluate
from nlp.training.train import TrainSettings, train_model


def train_and_save(
    shared_data: Path,
    labelled: Path,
    output: Path,
    settings: TrainSettings,
    progress: Callable[[str], None],
) -> dict[str, Report]:
    """Reproduce a model from data and base weights into ``output``; return its metrics."""
    corpus = load_corpus(shared_data, labelled)
    progress(
        f"{len(corpus.train)} training texts; validation: "
        + ", ".join(f"{name} {len(rows)}" for name, rows in corpus.validation.items())
    )
    model = train_model(corpus.train, settings, progress)
    progress("evaluating on the held-out sets")
    reports = evaluate(
        corpus.validation,
        lambda texts: torch_predict(model, texts, settings.max_length)[:2],
    )
    config = ModelConfig(
        name=output.name,
        num_layers=settings.num_layers,
        max_length=settings.max_length,
        metrics={name: report.as_dict() for name, report in reports.items()},
    )
    save_model(model, config, output)
    (output / "MODEL_CARD.md").write_text(model_card(config, settings), encoding="utf-8")
    return reports
