"""The NLP stage: language, brand matching, sentiment, intent and topic for each mention.

Entry point: :class:`nlp.analyzer.Analyzer` (``analyze(mentions) -> list[AnalyzedMention]``).
This package module stays light (no model libraries are imported here).
"""

from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).parent / "models" / "kikimimi-care-v1"

__all__ = ["DEFAULT_MODEL_DIR"]
