"""``kikimimi nlp``: score posts, evaluate, train and build the models."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from core import escape_invisible
from kikimimi.cli.context import CliContext, pass_context, say
from nlp import DEFAULT_MODEL_DIR

if TYPE_CHECKING:
    from config import Settings
    from nlp import TextScores

# The models' modules import torch, transformers and ONNX Runtime, which take seconds to
# load: they are imported inside the commands that need them, so the rest of the CLI starts
# fast.

BACKEND = click.option(
    "--backend",
    type=click.Choice(["torch", "onnx"]),
    default=None,
    help="Inference backend (default: the nlp.backend setting).",
)
CHUNK = 512


@click.group()
def nlp() -> None:
    """Sentiment, intent and topics of posts; train and evaluate the models."""


@nlp.command("score")
@click.option(
    "--in",
    "source",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help='JSONL input: {"id": str, "text": str, "lang"?: str} per line ("-": stdin).',
)
@click.option(
    "--out",
    "target",
    type=click.File("w", encoding="utf-8"),
    required=True,
    help="JSONL output, one line per good input line, same order.",
)
@BACKEND
@pass_context
def score_command(ctx: CliContext, source: TextIO, target: TextIO, backend: str | None) -> None:
    """Score posts: language, sentiment with probabilities, intent and topics."""
    from nlp import Analyzer  # noqa: PLC0415 - loads the model libraries

    analyzer = Analyzer(ctx.settings, backend=backend, progress=say)
    started, done, bad = time.monotonic(), 0, 0
    for chunk in _chunks(_read_posts(source)):
        posts = [post for post in chunk if post is not None]
        bad += len(chunk) - len(posts)
        scores = analyzer.score_texts([p["text"] for p in posts], [p.get("lang") for p in posts])
        for post, result in zip(posts, scores, strict=True):
            line = {
                "id": post["id"],
                "lang": result.lang,
                "sentiment": {"label": result.sentiment, "scores": result.probabilities},
                "intent": result.intent,
                "topics": result.topics,
            }
            target.write(escape_invisible(json.dumps(line, ensure_ascii=False)) + "\n")
        done += len(posts)
        rate = done / max(time.monotonic() - started, 1e-9)
        say(f"… {done} posts scored ({rate:,.0f}/s), {bad} bad line(s) skipped")


@nlp.command("eval")
@click.option(
    "--data",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="JSONL with text and label (sentiment, intent or complaint).",
)
@BACKEND
@click.option(
    "--compare/--no-compare",
    default=True,
    show_default=True,
    help="When nlp.model is not the shipped model, also score the shipped one on the same "
    "data and print both reports side by side.",
)
@pass_context
def eval_command(ctx: CliContext, data: Path, backend: str | None, compare: bool) -> None:
    """Print accuracy, macro-recall, macro-F1 and per-class precision/recall.

    When nlp.model names another model than the shipped one (your own training, or a Hugging
    Face model), the shipped model, with its own calibration, is scored on the same data and
    the two reports are printed side by side.
    """
    from nlp import (  # noqa: PLC0415
        INTENT_LABELS,
        SENTIMENT_LABELS,
        Analyzer,
        score,
        side_by_side,
    )

    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    texts, gold = [str(r["text"]) for r in rows], [str(r["label"]) for r in rows]
    labels: tuple[str, ...]
    if set(gold) <= set(SENTIMENT_LABELS):
        labels, kind = SENTIMENT_LABELS, "sentiment"
    elif set(gold) <= set(INTENT_LABELS):
        labels, kind = INTENT_LABELS, "intent"
    elif set(gold) <= {"complaint", "not_complaint"}:
        labels, kind = ("complaint", "not_complaint"), "complaint"
    else:
        raise click.BadParameter(f"unknown label set {sorted(set(gold))}", param_hint="--data")
    configured = Analyzer(ctx.settings, backend=backend, progress=say)
    predicted = _predicted(kind, configured.score_texts(texts))
    reports = {configured.model_id: score(gold, predicted, labels)}
    if compare and configured.model_dir.resolve() != DEFAULT_MODEL_DIR.resolve():
        say("scoring the shipped model on the same data too (--no-compare skips it)")
        shipped = Analyzer(_shipped(ctx.settings), backend=backend, progress=say)
        predicted = _predicted(kind, shipped.score_texts(texts))
        reports[f"{shipped.model_id} (shipped)"] = score(gold, predicted, labels)
    click.echo(f"{data} ({', '.join(reports)})")
    if len(reports) == 1:
        click.echo(next(iter(reports.values())).render())
    else:
        click.echo(side_by_side(reports))


def _predicted(kind: str, scores: Sequence[TextScores]) -> list[str]:
    if kind == "sentiment":
        return [s.sentiment for s in scores]
    if kind == "intent":
        return [s.intent for s in scores]
    return ["complaint" if s.intent == "complaint" else "not_complaint" for s in scores]


def _shipped(settings: Settings) -> Settings:
    """``settings`` with the shipped model as shipped: its own labels and calibration."""
    nlp = settings.nlp.model_copy(
        update={
            "model": None,
            "labels": {},
            "negative_threshold": None,
            "complaint_threshold": None,
        }
    )
    return settings.model_copy(update={"nlp": nlp})


@nlp.command("train")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=Path("../shared/data"),
    show_default=True,
    help="The shared data sets.",
)
@click.option(
    "--labelled",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=Path("data/labelled"),
    show_default=True,
    help="The project's own posts.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_MODEL_DIR,
    show_default=True,
    help="Where to write the model.",
)
@click.option(
    "--layers",
    type=click.IntRange(1, 12),
    default=4,
    show_default=True,
    help="Encoder layers kept (1-12).",
)
@click.option("--max-length", default=64, show_default=True, help="Tokens kept per text.")
@click.option("--epochs", default=1.0, show_default=True)
@click.option("--max-examples", type=int, default=None, help="Cap training examples (quick runs).")
@click.option("--seed", default=20261123, show_default=True)
@click.option("--learning-rate", default=8e-5, show_default=True, help="Encoder learning rate.")
@click.option(
    "--class-balance",
    default=0.5,
    show_default=True,
    help="Sentiment class weights = frequency ** -this (1.0 balances the classes fully).",
)
@click.option(
    "--checkpoint",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Save the training state here every few minutes and resume from it when re-run.",
)
@click.option(
    "--teacher",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Distil from this trained model's soft labels over every training text.",
)
@click.option(
    "--teacher-weight",
    default=0.7,
    show_default=True,
    help="With --teacher: share of the teacher in the target where a gold label exists.",
)
@click.option(
    "--init-from-teacher",
    is_flag=True,
    help="With --teacher: start the student from the teacher's embeddings, heads and evenly "
    "spaced layers instead of the base encoder.",
)
@click.option(
    "--complaints-as-negative",
    is_flag=True,
    help="Teach a complaint that its source gives no sentiment for as negative sentiment "
    "(aimed at sarcastic complaints; measured in README, The NLP model).",
)
def train_command(
    data_dir: Path,
    labelled: Path,
    out: Path,
    layers: int,
    max_length: int,
    epochs: float,
    max_examples: int | None,
    seed: int,
    learning_rate: float,
    class_balance: float,
    checkpoint: Path | None,
    teacher: Path | None,
    teacher_weight: float,
    init_from_teacher: bool,
    complaints_as_negative: bool,
) -> None:
    """Reproduce the shipped model from the data and the packaged base weights."""
    if init_from_teacher and teacher is None:
        raise click.UsageError("--init-from-teacher needs --teacher DIRECTORY")
    from nlp import TrainSettings, train_and_save  # noqa: PLC0415

    settings = TrainSettings(
        num_layers=layers,
        max_length=max_length,
        epochs=epochs,
        max_examples=max_examples,
        seed=seed,
        learning_rate=learning_rate,
        class_balance=class_balance,
        checkpoint=checkpoint,
        teacher_weight=teacher_weight if teacher else 0.0,
        init_from_teacher=init_from_teacher,
        complaints_as_negative=complaints_as_negative,
    )
    reports = train_and_save(data_dir, labelled, out, settings, say, teacher=teacher)
    for name, report in reports.items():
        click.echo(
            f"{name:<22} macro-recall {report.macro_recall:.4f}  "
            f"macro-F1 {report.macro_f1:.4f}  accuracy {report.accuracy:.4f}"
        )
    click.echo(f"model and card written to {out}")


@nlp.command("build")
@pass_context
def build_command(ctx: CliContext) -> None:
    """Build (once) the int8 ONNX export of the configured model."""
    from nlp import Analyzer, int8_recipe  # noqa: PLC0415 - loads the model libraries

    analyzer = Analyzer(ctx.settings, backend="onnx", progress=say)
    click.echo(
        f"ready: {analyzer.model_id} from {analyzer.model_dir} (int8 recipe {int8_recipe()})"
    )


def _read_posts(source: TextIO) -> Iterator[dict[str, Any] | None]:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            post = json.loads(line)
            if not isinstance(post, dict) or not isinstance(post.get("text"), str):
                raise ValueError('needs an object with a string "text"')
            if not isinstance(post.get("id"), str):
                raise ValueError('needs a string "id"')
        except ValueError as exc:
            say(f"line {number}: skipped: {exc}")
            yield None
            continue
        yield post


def _chunks(posts: Iterator[dict[str, Any] | None]) -> Iterator[list[dict[str, Any] | None]]:
    chunk: list[dict[str, Any] | None] = []
    for post in posts:
        chunk.append(post)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
