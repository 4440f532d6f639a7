"""Fit the decision settings (temperatures, thresholds) on held-out predictions.

Each validation set is halved by text hash: the *calibration* half fits the settings here,
the *report* half is what the model card reports, so the reported figures are not tuned on.

The negative threshold serves two masters: mean macro-recall over every set, and a care team
that must not miss negative posts. It is the macro-recall optimum, lowered where needed until
the negative recall of each kind of care post (:data:`CARE_GROUPS`: the team's own posts, real
tweets to brands) reaches :data:`CARE_NEGATIVE_RECALL`, so one kind cannot hide the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nlp.classifier import SENTIMENT_LABELS, Calibration
from nlp.decisions import (
    NEGATIVE,
    calibrated_complaint,
    calibrated_sentiment,
    complaint_decisions,
    sentiment_decisions,
)
from nlp.metrics import score
from nlp.training.data import Example

Array = npt.NDArray[np.float32]
TEMPERATURES = np.geomspace(0.4, 4.0, 49)
THRESHOLDS = np.round(np.arange(0.10, 0.91, 0.01), 2)
TRADE_OFF_THRESHOLDS = (0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60)
OWN_CARE_SETS = ("en_care", "ja_posts")
REAL_CARE_SETS = ("complaints",)
CARE_SETS = OWN_CARE_SETS + REAL_CARE_SETS
CARE_GROUPS = (OWN_CARE_SETS, REAL_CARE_SETS)
CARE_NEGATIVE_RECALL = 0.85


@dataclass(frozen=True)
class Predictions:
    """A validation set's examples with the model's raw (uncalibrated) probabilities."""

    name: str
    examples: list[Example]
    sentiment: Array
    complaint: Array

    def part(self, rows: Sequence[int]) -> Predictions:
        """The predictions of some rows only."""
        index = list(rows)
        return Predictions(
            self.name,
            [self.examples[i] for i in index],
            self.sentiment[index],
            self.complaint[index],
        )

    def sentiment_gold(self) -> tuple[list[int], list[str]]:
        """Rows with a sentiment label, and those labels."""
        rows = [i for i, e in enumerate(self.examples) if e.sentiment]
        return rows, [str(self.examples[i].sentiment) for i in rows]

    def complaint_gold(self) -> tuple[list[int], list[str]]:
        """Rows with a complaint label, and those labels as class names."""
        rows = [i for i, e in enumerate(self.examples) if e.complaint is not None]
        return rows, ["complaint" if self.examples[i].complaint else "not_complaint" for i in rows]

    @property
    def three_class(self) -> bool:
        """Whether the set's sentiment gold labels include neutral (else: binary, like chABSA)."""
        return any(e.sentiment == "neutral" for e in self.examples)


def fit_calibration(sets: Sequence[Predictions]) -> Calibration:
    """Temperatures by negative log-likelihood over every set, then the thresholds that
    maximise the mean macro-recall (sentiment) and mean macro-F1 (complaint) across sets;
    the negative threshold is lowered to the highest one at which the care negative recall
    (:func:`care_negative_recall`) of every care group present reaches
    :data:`CARE_NEGATIVE_RECALL`, when one does."""
    sentiment_temperature = _sentiment_temperature(sets)
    complaint_temperature = _complaint_temperature(sets)
    negative = _best_threshold(lambda t: _mean_sentiment_recall(sets, sentiment_temperature, t))
    groups = [group for names in CARE_GROUPS if (group := care_sets(sets, names))]
    reaching = [
        float(t)
        for t in THRESHOLDS
        if groups
        and all(
            care_negative_recall(group, sentiment_temperature, float(t)) >= CARE_NEGATIVE_RECALL
            for group in groups
        )
    ]
    if reaching:
        negative = min(negative, max(reaching))
    complaint = _best_threshold(lambda t: _mean_complaint_f1(sets, complaint_temperature, t))
    return Calibration(
        sentiment_temperature=round(float(sentiment_temperature), 4),
        complaint_temperature=round(float(complaint_temperature), 4),
        negative_threshold=float(negative),
        complaint_threshold=float(complaint),
    )


def trade_off(sets: Sequence[Predictions], calibration: Calibration) -> list[dict[str, float]]:
    """Negative precision/recall and complaint precision/recall at several thresholds (the
    calibrated negative threshold among them), pooled over the given sets (for the model card)."""
    rows = []
    thresholds = set(TRADE_OFF_THRESHOLDS)
    if calibration.negative_threshold is not None:
        thresholds.add(calibration.negative_threshold)
    for threshold in sorted(thresholds):
        gold: list[str] = []
        predicted: list[str] = []
        gold_c: list[str] = []
        predicted_c: list[str] = []
        for each in sets:
            index, labels = each.sentiment_gold()
            if index and each.three_class:
                probabilities = calibrated_sentiment(
                    each.sentiment[index], calibration.sentiment_temperature
                )
                gold += labels
                predicted += _labels(sentiment_decisions(probabilities, threshold))
            index, labels = each.complaint_gold()
            if index:
                complaint = calibrated_complaint(
                    each.complaint[index], calibration.complaint_temperature
                )
                gold_c += labels
                predicted_c += [
                    "complaint" if p >= threshold else "not_complaint" for p in complaint
                ]
        negative = score(gold, predicted, SENTIMENT_LABELS).per_class["negative"]
        complaint_scores = score(gold_c, predicted_c, ("complaint", "not_complaint")).per_class[
            "complaint"
        ]
        rows.append(
            {
                "threshold": threshold,
                "negative_precision": negative.precision,
                "negative_recall": negative.recall,
                "complaint_precision": complaint_scores.precision,
                "complaint_recall": complaint_scores.recall,
            }
        )
    return rows


def care_sets(sets: Sequence[Predictions], names: Sequence[str] = CARE_SETS) -> list[Predictions]:
    """The sets holding posts a care team needs to see (:data:`CARE_SETS`, or some of them:
    :data:`OWN_CARE_SETS` the team wrote, :data:`REAL_CARE_SETS` real tweets to brands)."""
    return [each for each in sets if each.name in names]


def care_negative_recall(
    sets: Sequence[Predictions], temperature: float, threshold: float | None
) -> float:
    """Share of the posts a care team needs to see that are scored negative: posts labelled
    negative, and in sets without sentiment labels posts labelled complaints. 0 when the sets
    hold none."""
    caught = needed = 0
    for each in sets:
        if any(e.sentiment for e in each.examples):
            rows = [i for i, e in enumerate(each.examples) if e.sentiment == "negative"]
        else:
            rows = [i for i, e in enumerate(each.examples) if e.complaint]
        if rows:
            probabilities = calibrated_sentiment(each.sentiment[rows], temperature)
            caught += int((sentiment_decisions(probabilities, threshold) == NEGATIVE).sum())
            needed += len(rows)
    return caught / needed if needed else 0.0


def _best_threshold(objective: Callable[[float], float]) -> float:
    """The middle of the thresholds that share the best objective value (robust to ties)."""
    values = [objective(float(t)) for t in THRESHOLDS]
    best = max(values)
    tied = [float(t) for t, v in zip(THRESHOLDS, values, strict=True) if v >= best - 1e-9]
    return tied[len(tied) // 2]


def _labels(indices: npt.NDArray[np.int64]) -> list[str]:
    return [SENTIMENT_LABELS[int(i)] for i in indices]


def complaint_labels(probabilities: Array, threshold: float) -> list[str]:
    """``complaint`` / ``not_complaint`` per post at ``threshold``."""
    return [
        "complaint" if flagged else "not_complaint"
        for flagged in complaint_decisions(probabilities, threshold)
    ]


def _sentiment_temperature(sets: Sequence[Predictions]) -> float:
    rows = [(s.sentiment[i], s.examples[i].sentiment) for s in sets for i in s.sentiment_gold()[0]]
    if not rows:
        return 1.0
    probabilities = np.stack([p for p, _ in rows])
    gold = np.array([SENTIMENT_LABELS.index(str(label)) for _, label in rows])

    def nll(temperature: float) -> float:
        calibrated = calibrated_sentiment(probabilities, temperature)
        return float(-np.log(np.clip(calibrated[np.arange(len(gold)), gold], 1e-12, 1)).mean())

    return float(min(TEMPERATURES, key=nll))


def _complaint_temperature(sets: Sequence[Predictions]) -> float:
    rows = [(s.complaint[i], s.examples[i].complaint) for s in sets for i in s.complaint_gold()[0]]
    if not rows:
        return 1.0
    probabilities = np.array([p for p, _ in rows], dtype=np.float32)
    gold = np.array([bool(c) for _, c in rows])

    def nll(temperature: float) -> float:
        p = np.clip(calibrated_complaint(probabilities, temperature), 1e-12, 1 - 1e-7)
        return float(-np.where(gold, np.log(p), np.log1p(-p)).mean())

    return float(min(TEMPERATURES, key=nll))


def _mean_sentiment_recall(
    sets: Sequence[Predictions], temperature: float, threshold: float
) -> float:
    recalls = []
    for each in sets:
        index, gold = each.sentiment_gold()
        if not index or not each.three_class:
            continue
        probabilities = calibrated_sentiment(each.sentiment[index], temperature)
        predicted = _labels(sentiment_decisions(probabilities, threshold))
        recalls.append(score(gold, predicted, SENTIMENT_LABELS).macro_recall)
    return float(np.mean(recalls)) if recalls else 0.0


def _mean_complaint_f1(sets: Sequence[Predictions], temperature: float, threshold: float) -> float:
    scores = []
    for each in sets:
        index, gold = each.complaint_gold()
        if not index:
            continue
        complaint = calibrated_complaint(each.complaint[index], temperature)
        predicted = complaint_labels(complaint, threshold)
        scores.append(score(gold, predicted, ("complaint", "not_complaint")).macro_f1)
    return float(np.mean(scores)) if scores else 0.0
