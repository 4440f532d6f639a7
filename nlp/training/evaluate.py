"""Score a trained classifier on the held-out validation sets."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from nlp.classifier import SENTIMENT_LABELS as SENTIMENT
from nlp.metrics import Report, score
from nlp.training.data import Example

Predict = Callable[[Sequence[str]], tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]


def evaluate(validation: dict[str, list[Example]], predict: Predict) -> dict[str, Report]:
    """Reports per validation set: ``<set>/sentiment`` and ``<set>/complaint``.

    ``predict`` returns (sentiment probabilities (n x 3), complaint probabilities (n,)).
    Binary sets (no neutral gold label, e.g. chABSA) are scored on negative vs positive only.
    """
    reports: dict[str, Report] = {}
    for name, examples in validation.items():
        if not examples:
            continue
        probabilities, complaint = predict([e.text for e in examples])
        rated = [(i, e.sentiment) for i, e in enumerate(examples) if e.sentiment]
        if rated:
            gold = [label for _, label in rated]
            rows = probabilities[[i for i, _ in rated]]
            if "neutral" not in gold:
                rows = rows.copy()
                rows[:, 1] = -1.0
            predicted = [SENTIMENT[int(k)] for k in rows.argmax(axis=1)]
            reports[f"{name}/sentiment"] = score(gold, predicted, SENTIMENT)
        flagged = [(i, e.complaint) for i, e in enumerate(examples) if e.complaint is not None]
        if flagged:
            gold_c = ["complaint" if c else "not_complaint" for _, c in flagged]
            predicted_c = [
                "complaint" if complaint[i] >= 0.5 else "not_complaint" for i, _ in flagged
            ]
            reports[f"{name}/complaint"] = score(
                gold_c, predicted_c, ("complaint", "not_complaint")
            )
    return reports
