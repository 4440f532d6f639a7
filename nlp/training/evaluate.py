"""Score a trained classifier on the held-out validation sets, with its calibration applied.

Each validation set is halved by text hash (:func:`halves`): one half fits the calibration
(:mod:`nlp.training.calibrate`), the other is scored here. Sets that mix languages (UMSAB)
are also scored per language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from nlp.classifier import SENTIMENT_LABELS as SENTIMENT
from nlp.classifier import Calibration
from nlp.decisions import calibrated_complaint, calibrated_sentiment, sentiment_decisions
from nlp.metrics import Report, score
from nlp.training.calibrate import Predictions, complaint_labels
from nlp.training.data import Example, in_holdout

Predict = Callable[[Sequence[str]], tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]
CALIBRATION_SHARE = 0.5


def predict_sets(validation: dict[str, list[Example]], predict: Predict) -> list[Predictions]:
    """The model's raw probabilities for every non-empty validation set.

    ``predict`` returns (sentiment probabilities (n x 3), complaint probabilities (n,)).
    """
    sets = []
    for name, examples in validation.items():
        if examples:
            sentiment, complaint = predict([e.text for e in examples])
            sets.append(Predictions(name, examples, sentiment, complaint))
    return sets


def halves(sets: Sequence[Predictions]) -> tuple[list[Predictions], list[Predictions]]:
    """(calibration halves, report halves) of the sets, split by text hash."""
    calibration, report = [], []
    for each in sets:
        chosen = [in_holdout(e.text, CALIBRATION_SHARE, salt="calibration") for e in each.examples]
        calibration.append(each.part([i for i, c in enumerate(chosen) if c]))
        report.append(each.part([i for i, c in enumerate(chosen) if not c]))
    return calibration, report


def evaluate(sets: Sequence[Predictions], calibration: Calibration) -> dict[str, Report]:
    """Reports ``<set>/sentiment`` and ``<set>/complaint`` (and ``<set>-<lang>/sentiment`` for
    sets in several languages). Binary sets (no neutral gold label, e.g. chABSA) are scored on
    negative vs positive only."""
    reports: dict[str, Report] = {}
    for each in sets:
        languages = sorted({e.lang for e in each.examples})
        groups = [(each.name, each)]
        if len(languages) > 1:
            groups += [(f"{each.name}-{lang}", _language(each, lang)) for lang in languages]
        for name, group in groups:
            sentiment = _sentiment_report(group, calibration)
            if sentiment is not None:
                reports[f"{name}/sentiment"] = sentiment
        complaint = _complaint_report(each, calibration)
        if complaint is not None:
            reports[f"{each.name}/complaint"] = complaint
    return reports


def _language(sets: Predictions, lang: str) -> Predictions:
    return sets.part([i for i, e in enumerate(sets.examples) if e.lang == lang])


def _sentiment_report(each: Predictions, calibration: Calibration) -> Report | None:
    index, gold = each.sentiment_gold()
    if not index:
        return None
    probabilities = calibrated_sentiment(each.sentiment[index], calibration.sentiment_temperature)
    if not each.three_class:
        probabilities = probabilities.copy()
        probabilities[:, 1] = -1.0
    decided = sentiment_decisions(probabilities, calibration.negative_threshold)
    return score(gold, [SENTIMENT[int(k)] for k in decided], SENTIMENT)


def _complaint_report(each: Predictions, calibration: Calibration) -> Report | None:
    index, gold = each.complaint_gold()
    if not index:
        return None
    complaint = calibrated_complaint(each.complaint[index], calibration.complaint_temperature)
    predicted = complaint_labels(complaint, calibration.complaint_threshold)
    return score(gold, predicted, ("complaint", "not_complaint"))
