"""Kikimimi (聞き耳): social listening and customer-care alerting.

This package holds what the stages share — records, settings, errors — and the thin
layer that wires the stages together (CLI, demo). The stages are the top-level packages
``crawlers``, ``nlp``, ``indexer`` and ``alerts``.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
