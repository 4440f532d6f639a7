"""Real Hugging Face sequence-classification models, tiny and built in the test."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from transformers import BertConfig, BertForSequenceClassification

from nlp.encoder import base_tokenizer


def save_hf_model(
    directory: Path,
    labels: Sequence[str],
    bias: Sequence[float] | None = None,
    *,
    multi_label: bool = False,
) -> Path:
    """A randomly initialised 2-layer BERT classifier with the project's tokenizer, saved with
    ``save_pretrained``. With ``bias``, the classifier's weights are zero, so every post gets
    exactly these logits (a hand-made probability row)."""
    tokenizer = base_tokenizer()
    torch.manual_seed(7)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        problem_type="multi_label_classification" if multi_label else None,
    )
    model = BertForSequenceClassification(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
