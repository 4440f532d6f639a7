"""Calibrated probabilities and the decision rules applied to them.

Temperatures apply to probabilities exactly as to logits: ``softmax(z / T)`` is
proportional to ``p ** (1 / T)``, and ``sigmoid(z / T)`` with ``z = logit(p)``; so both
backends (which output probabilities) share these functions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

NEGATIVE = 0
EPSILON = 1e-7


def calibrated_sentiment(
    probabilities: npt.NDArray[np.float32], temperature: float
) -> npt.NDArray[np.float32]:
    """Sentiment probabilities (rows of negative, neutral, positive) at ``temperature``."""
    if temperature == 1.0:
        return probabilities
    scaled = np.log(np.clip(probabilities, EPSILON, 1.0)) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    exponentials = np.exp(scaled)
    return np.asarray(exponentials / exponentials.sum(axis=-1, keepdims=True), dtype=np.float32)


def calibrated_complaint(
    probabilities: npt.NDArray[np.float32], temperature: float
) -> npt.NDArray[np.float32]:
    """Complaint probabilities at ``temperature``."""
    if temperature == 1.0:
        return probabilities
    clipped = np.clip(probabilities, EPSILON, 1.0 - EPSILON)
    logits = np.log(clipped) - np.log1p(-clipped)
    return (1.0 / (1.0 + np.exp(-logits / temperature))).astype(np.float32)


def sentiment_decisions(
    probabilities: npt.NDArray[np.float32], negative_threshold: float | None
) -> npt.NDArray[np.int64]:
    """Label indices: negative when its probability reaches ``negative_threshold``, else the
    more probable of neutral and positive (``None``: the most probable of all three)."""
    if negative_threshold is None:
        return np.asarray(probabilities.argmax(axis=-1), dtype=np.int64)
    others = probabilities[:, NEGATIVE + 1 :].argmax(axis=-1) + NEGATIVE + 1
    return np.where(probabilities[:, NEGATIVE] >= negative_threshold, NEGATIVE, others).astype(
        np.int64
    )


def complaint_decisions(
    probabilities: npt.NDArray[np.float32], threshold: float
) -> npt.NDArray[np.bool_]:
    """Whether each post is a complaint: its probability reaches ``threshold``."""
    return probabilities >= threshold
