"""The NLP stage: language, brand matching, sentiment, intent and topic for each mention.

Entry point: :class:`Analyzer` (``analyze(mentions) -> list[AnalyzedMention]``).
:func:`find_themes` groups posts that say the same thing (embedded by
:class:`E5SentenceEncoder`, through a :class:`CachedThemeEncoder` that embeds each text once)
and names each group. The other names serve the CLI's evaluation and training (``kikimimi nlp
eval|train``) and the benchmarks. Importing this package stays light: each name loads its
module (and torch or ONNX Runtime with it) on first use.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlp.analyzer import Analyzer, TextScores, analysed_text
    from nlp.batching import Batch, BatchRunner, make_batches
    from nlp.cached_encoder import CachedThemeEncoder
    from nlp.classifier import load_model
    from nlp.inference import torch_runner
    from nlp.metrics import score, side_by_side
    from nlp.model_config import SENTIMENT_LABELS
    from nlp.onnx_backend import OnnxClassifier, build_onnx, int8_recipe
    from nlp.sentence_encoder import E5SentenceEncoder
    from nlp.themes import NO_THEME, Theme, ThemeEncoder, ThemeSet, find_themes, theme_inputs
    from nlp.training import INTENT_LABELS, TrainSettings, train_and_save
    from nlp.training.data import load_corpus

DEFAULT_MODEL_DIR = Path(__file__).parent / "models" / "kikimimi-care-v2"

_MODULE_OF = {
    "Analyzer": "nlp.analyzer",
    "INTENT_LABELS": "nlp.training",
    "TrainSettings": "nlp.training",
    "train_and_save": "nlp.training",
    "Batch": "nlp.batching",
    "BatchRunner": "nlp.batching",
    "CachedThemeEncoder": "nlp.cached_encoder",
    "E5SentenceEncoder": "nlp.sentence_encoder",
    "NO_THEME": "nlp.themes",
    "Theme": "nlp.themes",
    "ThemeEncoder": "nlp.themes",
    "ThemeSet": "nlp.themes",
    "find_themes": "nlp.themes",
    "theme_inputs": "nlp.themes",
    "OnnxClassifier": "nlp.onnx_backend",
    "SENTIMENT_LABELS": "nlp.model_config",
    "TextScores": "nlp.analyzer",
    "analysed_text": "nlp.analyzer",
    "build_onnx": "nlp.onnx_backend",
    "int8_recipe": "nlp.onnx_backend",
    "load_corpus": "nlp.training.data",
    "load_model": "nlp.classifier",
    "make_batches": "nlp.batching",
    "score": "nlp.metrics",
    "side_by_side": "nlp.metrics",
    "torch_runner": "nlp.inference",
}

__all__ = [
    "DEFAULT_MODEL_DIR",
    "INTENT_LABELS",
    "NO_THEME",
    "SENTIMENT_LABELS",
    "Analyzer",
    "Batch",
    "BatchRunner",
    "CachedThemeEncoder",
    "E5SentenceEncoder",
    "OnnxClassifier",
    "TextScores",
    "Theme",
    "ThemeEncoder",
    "ThemeSet",
    "TrainSettings",
    "analysed_text",
    "build_onnx",
    "find_themes",
    "int8_recipe",
    "load_corpus",
    "load_model",
    "make_batches",
    "score",
    "side_by_side",
    "theme_inputs",
    "torch_runner",
    "train_and_save",
]


def __getattr__(name: str) -> object:
    """Load a public name's module on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
