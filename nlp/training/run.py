"""``kikimimi nlp train``: train, calibrate, evaluate on the held-out sets, save model and card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nlp.classifier import CareClassifier, ModelConfig, save_model
from nlp.inference import torch_predict
from nlp.metrics import Report
from nlp.training.calibrate import (
    OWN_CARE_SETS,
    REAL_CARE_SETS,
    care_negative_recall,
    care_sets,
    fit_calibration,
    trade_off,
)
from nlp.training.card import ALL_POSTS, OWN_CARE, REAL_CARE, model_card
from nlp.training.data import Example, load_corpus
from nlp.training.distill import student_from_teacher, teacher_labels
from nlp.training.evaluate import evaluate, halves, predict_sets
from nlp.training.train import TrainSettings, train_model, training_examples


def train_and_save(
    shared_data: Path,
    labelled: Path,
    output: Path,
    settings: TrainSettings,
    progress: Callable[[str], None],
    *,
    teacher: Path | None = None,
) -> dict[str, Report]:
    """Reproduce a model from data and base weights into ``output``; return its metrics.

    With ``teacher`` (a trained model directory) the new model is distilled from the
    teacher's soft labels over every training text (and, with
    ``settings.init_from_teacher``, starts from the teacher's own weights).
    """
    corpus = load_corpus(shared_data, labelled)
    progress(
        f"{len(corpus.train)} training texts; validation: "
        + ", ".join(f"{name} {len(rows)}" for name, rows in corpus.validation.items())
    )
    soft = None
    if teacher is not None:
        cache = settings.checkpoint.with_suffix(".teacher.npz") if settings.checkpoint else None
        pool = sorted({e.text for e in training_examples(corpus.train, settings)})
        soft = teacher_labels(teacher, pool, progress, cache)
    start = None
    if teacher is not None and settings.init_from_teacher:
        start = student_from_teacher(teacher, settings.num_layers)
        progress(f"student starts from {teacher.name}'s layers, embeddings and heads")
    model = train_model(corpus.train, settings, progress, soft, start)
    return calibrate_and_save(model, corpus.validation, output, settings, progress, teacher=teacher)


def calibrate_and_save(
    model: CareClassifier,
    validation: dict[str, list[Example]],
    output: Path,
    settings: TrainSettings,
    progress: Callable[[str], None],
    *,
    teacher: Path | None = None,
) -> dict[str, Report]:
    """Fit the decision settings on the tuning halves, score the report halves, and save the
    model, its config and its card into ``output``; return the report-half metrics."""
    progress("calibrating and evaluating on the held-out sets")
    sets = predict_sets(
        validation,
        lambda texts: torch_predict(model, texts, settings.max_length)[:2],
    )
    tuning, held_out = halves(sets)
    calibration = fit_calibration(tuning)
    reports = evaluate(held_out, calibration)
    config = ModelConfig(
        name=output.name,
        num_layers=settings.num_layers,
        max_length=settings.max_length,
        metrics={name: report.as_dict() for name, report in reports.items()},
        calibration=calibration,
    )
    save_model(model, config, output)
    care = care_sets(held_out)
    card = model_card(
        config,
        settings,
        trade_off={
            ALL_POSTS: trade_off(held_out, calibration),
            REAL_CARE: trade_off(care_sets(held_out, REAL_CARE_SETS), calibration),
            OWN_CARE: trade_off(care_sets(held_out, OWN_CARE_SETS), calibration),
        },
        care_recall=care_negative_recall(
            care, calibration.sentiment_temperature, calibration.negative_threshold
        ),
        teacher=teacher,
    )
    (output / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    return reports
