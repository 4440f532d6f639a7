"""The e5 tokenizer for inference, from the ``tokenizers`` library alone (no transformers).

The same ``tokenizer.json`` as :func:`nlp.encoder.base_tokenizer` with the same settings
(``<s>`` and ``</s>`` around the text, truncated from the right), so the ids are the same;
loading it takes a fraction of a second where importing transformers (and torch) takes seconds.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tokenizers import Tokenizer

TOKENIZER_PACKAGE = "semantra_multilingual"
PAD_TOKEN = "<pad>"  # noqa: S105 - a token's name, not a secret


def tokenizer_file() -> Path:
    """The multilingual-e5-small (XLM-R SentencePiece) ``tokenizer.json``."""
    path = resources.files(TOKENIZER_PACKAGE).joinpath("assets")
    files = sorted(Path(str(path)).rglob("tokenizer.json"))
    if not files:
        raise FileNotFoundError(f"no tokenizer.json in the {TOKENIZER_PACKAGE} package")
    return files[0]


@dataclass(frozen=True)
class TruncatingTokenizer:
    """Turns texts into token ids, at most ``max_length`` per text."""

    tokenizer: Tokenizer
    pad_id: int

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's ids, special tokens included."""
        return [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]


@functools.cache
def e5_tokenizer(max_length: int) -> TruncatingTokenizer:
    """The e5 tokenizer truncating to ``max_length`` (loaded once per length)."""
    tokenizer = Tokenizer.from_file(str(tokenizer_file()))
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()
    pad = tokenizer.token_to_id(PAD_TOKEN)
    if pad is None:
        raise FileNotFoundError(f"{tokenizer_file()} has no {PAD_TOKEN} token")
    return TruncatingTokenizer(tokenizer, int(pad))
