"""Temperatures and thresholds turn probabilities into decisions the same way everywhere."""

from __future__ import annotations

import numpy as np

from nlp.decisions import (
    calibrated_complaint,
    calibrated_sentiment,
    complaint_decisions,
    sentiment_decisions,
)


def test_temperature_on_probabilities_equals_temperature_on_logits() -> None:
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    expected = np.exp(logits / 2.0) / np.exp(logits / 2.0).sum(1, keepdims=True)

    calibrated = calibrated_sentiment(probabilities.astype(np.float32), 2.0)

    assert np.allclose(calibrated, expected, atol=1e-5)
    logit = np.array([1.5, -3.0])
    p = 1 / (1 + np.exp(-logit))
    assert np.allclose(
        calibrated_complaint(p.astype(np.float32), 3.0), 1 / (1 + np.exp(-logit / 3.0)), atol=1e-5
    )


def test_the_negative_threshold_decides_negative_before_the_argmax() -> None:
    rows = np.array([[0.35, 0.45, 0.20], [0.25, 0.30, 0.45], [0.60, 0.30, 0.10]], dtype=np.float32)

    assert list(sentiment_decisions(rows, None)) == [1, 2, 0]
    assert list(sentiment_decisions(rows, 0.3)) == [0, 2, 0]
    assert list(sentiment_decisions(rows, 0.7)) == [1, 2, 1]


def test_the_complaint_threshold_is_inclusive() -> None:
    flags = complaint_decisions(np.array([0.39, 0.4, 0.9], dtype=np.float32), 0.4)
    assert list(flags) == [False, True, True]
