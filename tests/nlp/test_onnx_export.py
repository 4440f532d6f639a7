"""The int8 export's recipe: its calibration posts."""

from __future__ import annotations

import pytest

from nlp.onnx_export import calibration_texts
from nlp.training.data import in_holdout

pytestmark = pytest.mark.slow  # the recipe's module loads torch and the ONNX tools


def test_calibration_posts_are_fixed_training_posts() -> None:
    texts = calibration_texts()
    assert len(texts) == 300 and texts == calibration_texts()
    assert not any(in_holdout(text, 0.4) for text in texts)  # none is a validation post
