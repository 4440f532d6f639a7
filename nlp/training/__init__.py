"""Reproducible training of Kikimimi's own NLP models (``kikimimi nlp train``)."""

from nlp.training.data import INTENT_LABELS
from nlp.training.run import train_and_save
from nlp.training.train import TrainSettings

__all__ = ["INTENT_LABELS", "TrainSettings", "train_and_save"]
