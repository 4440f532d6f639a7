"""The NLP stage's entry point: ``Analyzer.analyze(mentions) -> list[AnalyzedMention]``.

Models load once per Analyzer; inference runs in batches sorted by length. The backend is
a setting: ``onnx`` (int8, the default, fastest on CPU) or ``torch``.

Input is bounded: only the first :data:`MAX_ANALYSED_CHARS` characters of a post (title and
text) are analysed, so a huge post costs no more than a long one and never exceeds a
tokenizer's limit; the record keeps the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config import Settings, default_cache_dir
from core import AnalyzedMention, Mention, Sentiment
from nlp import DEFAULT_MODEL_DIR
from nlp.brands import BrandMatcher
from nlp.classifier import SENTIMENT_LABELS, load_config, load_model
from nlp.inference import Outputs, torch_predict
from nlp.intent import Intent, decide_intent
from nlp.language import LanguageDetector
from nlp.onnx_backend import OnnxClassifier, build_onnx
from nlp.topics import Embeddings, TopicMatcher

MAX_ANALYSED_CHARS = 20_000


@dataclass(frozen=True)
class TextScores:
    """What the models say about one text."""

    lang: str
    sentiment: str
    probabilities: dict[str, float]
    intent: Intent
    topics: list[str]


class Analyzer:
    """Language, brands, sentiment, intent and topics for batches of posts."""

    def __init__(
        self,
        settings: Settings,
        *,
        backend: str | None = None,
        model_dir: Path | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        nlp = settings.nlp
        self.model_dir = model_dir or nlp.model_dir or DEFAULT_MODEL_DIR
        self.config = load_config(self.model_dir)
        self.backend = backend or nlp.backend
        self._batch_size = nlp.batch_size
        self._predict = self._load_backend(nlp.threads or None, progress)
        self._languages = LanguageDetector(nlp.languages)
        self._brands = BrandMatcher(settings.brands, settings.competitors)
        self._topics = TopicMatcher(nlp.topics, self, nlp.topic_similarity)
        self.model_id = f"{self.config.name}/{self.backend}"

    def _load_backend(
        self, threads: int | None, progress: Callable[[str], None] | None
    ) -> Callable[[Sequence[str]], Outputs]:
        if self.backend == "torch":
            model, _ = load_model(self.model_dir)
            return lambda texts: torch_predict(
                model, texts, self.config.max_length, self._batch_size
            )
        if progress is not None:
            progress(f"loading ONNX model for {self.config.name} (built once, then cached)")
        runner = OnnxClassifier(
            build_onnx(self.model_dir, default_cache_dir()), self.config.max_length, threads
        )
        return lambda texts: runner.predict(texts, self._batch_size)

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """Sentence embeddings of ``texts`` (used for topic descriptions)."""
        return self._predict(texts)[2]

    def score_texts(
        self, texts: Sequence[str], hints: Sequence[str | None] | None = None
    ) -> list[TextScores]:
        """Scores for plain texts (``hints``: languages the sources declared)."""
        if not texts:
            return []
        texts = [_bounded(text) for text in texts]
        sentiment, complaint, embeddings = self._predict(texts)
        topics = self._topics.match(texts, embeddings)
        results = []
        for row, text in enumerate(texts):
            probabilities = {
                label: round(float(p), 4)
                for label, p in zip(SENTIMENT_LABELS, sentiment[row], strict=True)
            }
            hint = hints[row] if hints is not None else None
            results.append(
                TextScores(
                    lang=self._languages.detect(text, hint).lang,
                    sentiment=SENTIMENT_LABELS[int(np.argmax(sentiment[row]))],
                    probabilities=probabilities,
                    intent=decide_intent(text, float(complaint[row]), probabilities["positive"]),
                    topics=topics[row],
                )
            )
        return results

    def analyze(self, mentions: Sequence[Mention]) -> list[AnalyzedMention]:
        """Analyse a batch of mentions (same order); each record is built from the mention's
        own fields (any analysis a subclass carries is replaced), with no serialisation."""
        texts = [_bounded(_text_of(m)) for m in mentions]
        scores = self.score_texts(texts, [m.lang for m in mentions])
        analyzed = []
        for mention, text, score in zip(mentions, texts, scores, strict=True):
            brands = self._brands.match(text)
            analyzed.append(
                AnalyzedMention(
                    **mention.fields_of(Mention),
                    detected_lang=score.lang,
                    brands=brands,
                    matched_no_brand=not brands,
                    sentiment=Sentiment(
                        label=score.sentiment,
                        score=score.probabilities[score.sentiment],
                        probabilities=score.probabilities,
                        model=self.model_id,
                    ),
                    topics=score.topics,
                    intent=score.intent,
                )
            )
        return analyzed


def _text_of(mention: Mention) -> str:
    return f"{mention.title}\n{mention.text}" if mention.title else mention.text


def _bounded(text: str) -> str:
    return text[:MAX_ANALYSED_CHARS]
