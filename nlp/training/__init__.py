"""Reproducible training of Kikimimi's own NLP models (``kikimimi nlp train``)."""
