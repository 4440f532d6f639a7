"""The NLP stage: language, brand matching, sentiment, intent and topic for each mention.

Its models and entry point are specified in the NLP issue; nothing is exported yet.
"""
