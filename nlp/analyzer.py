"""The NLP stage's entry point: ``Analyzer.analyze(mentions) -> list[AnalyzedMention]``.

Models load once per Analyzer; inference runs in batches sorted by length, on a second thread
while this one detects languages and matches brands (ONNX Runtime and torch release the GIL,
so the two overlap: about 10 % more posts/s on two cores). The model is kikimimi's own
(``kikimimi nlp train``; the shipped one by default) or a Hugging Face sequence-classification
model (:mod:`nlp.hf_backend`). The backend is a setting: ``onnx``
(int8, fastest on CPU; kikimimi's own models only), ``torch`` (CPU or GPU, ``nlp.device``) or
``auto``: torch for a Hugging Face model or when ``nlp.device`` is ``cuda``, else onnx.

Decisions are calibrated (:mod:`nlp.decisions`): the model's temperatures apply to its
probabilities, which records carry; a post is negative when its negative probability reaches
the negative threshold and a complaint when its complaint probability reaches the complaint
threshold. ``nlp.negative_threshold`` and ``nlp.complaint_threshold`` override the model's.

Input is bounded: only the first :data:`MAX_ANALYSED_CHARS` characters of a post (title and
text) are analysed, so a huge post costs no more than a long one and never exceeds a
tokenizer's limit; the record keeps the whole text.

Only the torch backend and Hugging Face models import torch (seconds): the ONNX backend starts
without it, and spaCy loads on the first brand match (:mod:`nlp.brands`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from config import NlpSettings, Settings, default_cache_dir
from core import AnalyzedMention, Mention, ModelError, Sentiment
from nlp import DEFAULT_MODEL_DIR
from nlp.batching import Outputs, inference_batch_size
from nlp.brands import BrandMatcher
from nlp.decisions import calibrated_complaint, calibrated_sentiment, sentiment_decisions
from nlp.encoder.tokenizer import e5_tokenizer
from nlp.intent import Intent, decide_intent
from nlp.language import LanguageDetector
from nlp.model_config import SENTIMENT_LABELS, Calibration, ModelConfig, is_hf_model, load_config
from nlp.onnx_backend import OnnxClassifier, build_onnx
from nlp.topics import Embeddings, TopicMatcher

MAX_ANALYSED_CHARS = 20_000

Predict = Callable[[Sequence[str]], Outputs]
_Result = TypeVar("_Result")


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
        self.model_dir = model_dir or nlp.model or DEFAULT_MODEL_DIR
        hugging_face = is_hf_model(self.model_dir)
        self.backend = _backend(backend or nlp.backend, hugging_face, nlp.device, self.model_dir)
        own = None if hugging_face else load_config(self.model_dir)
        # the language model, then kikimimi's tokenizer (about 0.4 and 0.8 s, holding the GIL)
        # load on a second thread while ONNX Runtime builds the model's session (about 1 s,
        # mostly without the GIL): start-up about 0.5 s shorter; the language model first, as
        # its Python yields the GIL for the weights' hash that names the export
        with ThreadPoolExecutor(1, thread_name_prefix="kikimimi-load") as loading:
            languages = loading.submit(LanguageDetector, nlp.languages)
            tokenizer = loading.submit(e5_tokenizer, own.max_length) if own else None
            self.config, self._predict, self.batch_size = self._load(nlp, own, progress)
            self._languages = languages.result()
            if tokenizer is not None:
                tokenizer.result()
        self.calibration = _calibration(self.config.calibration, nlp)
        self._brands = BrandMatcher(settings.brands, settings.competitors)
        self._topics = TopicMatcher(nlp.topics, self, nlp.topic_similarity)
        self.model_id = f"{self.config.name}/{self.backend}"

    def _load(
        self,
        nlp: NlpSettings,
        config: ModelConfig | None,
        progress: Callable[[str], None] | None,
    ) -> tuple[ModelConfig, Predict, int]:
        """The model's config, its prediction function on the chosen backend and its posts per
        batch (:func:`nlp.batching.inference_batch_size`); ``config``: a kikimimi model's, or
        None for a Hugging Face model."""
        if config is None:
            from nlp.hf_backend import HfClassifier  # noqa: PLC0415 - torch: see the docstring
            from nlp.inference import resolve_device  # noqa: PLC0415

            device = resolve_device(nlp.device)
            batch_size = inference_batch_size(nlp.batch_size, device.type)
            model = HfClassifier(self.model_dir, nlp.labels, device)
            return model.config, lambda texts: model.predict(texts, batch_size), batch_size
        if nlp.labels:
            raise ModelError(
                f"nlp.labels maps a Hugging Face model's labels, but {self.model_dir} is a "
                "kikimimi model (its labels are negative, neutral, positive and complaint)"
            )
        if self.backend == "torch":
            from nlp.classifier import load_model  # noqa: PLC0415
            from nlp.inference import resolve_device, torch_predict  # noqa: PLC0415

            device = resolve_device(nlp.device)
            batch_size = inference_batch_size(nlp.batch_size, device.type)
            care = load_model(self.model_dir)[0].to(device)
            return (
                config,
                lambda texts: torch_predict(care, texts, config.max_length, batch_size, device),
                batch_size,
            )
        if progress is not None:
            progress(f"loading ONNX model for {config.name} (built once, then cached)")
        runner = OnnxClassifier(
            build_onnx(self.model_dir, default_cache_dir()), config.max_length, nlp.threads or None
        )
        batch_size = inference_batch_size(nlp.batch_size, "cpu")
        return config, lambda texts: runner.predict(texts, batch_size), batch_size

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """Sentence embeddings of ``texts`` (used for topic descriptions)."""
        return self._predict(texts)[2]

    def score_texts(
        self, texts: Sequence[str], hints: Sequence[str | None] | None = None
    ) -> list[TextScores]:
        """Scores for plain texts (``hints``: languages the sources declared)."""
        return self._score(texts, hints, lambda: None)[0]

    def analyze(self, mentions: Sequence[Mention]) -> list[AnalyzedMention]:
        """Analyse a batch of mentions (same order); each record is built from the mention's
        own fields (any analysis a subclass carries is replaced), with no serialisation."""
        texts = [analysed_text(m) for m in mentions]
        scores, brands_of = self._score(
            texts,
            [m.lang for m in mentions],
            lambda: [self._brands.match(text) for text in texts],
        )
        analyzed = []
        for mention, score, brands in zip(mentions, scores, brands_of, strict=True):
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

    def _score(
        self,
        texts: Sequence[str],
        hints: Sequence[str | None] | None,
        meanwhile: Callable[[], _Result],
    ) -> tuple[list[TextScores], _Result]:
        """Scores for ``texts``, and what ``meanwhile`` returns: work that needs no model
        output, done (with language detection) on this thread while the model runs on another
        (ONNX Runtime and torch release the GIL, so both cores stay busy)."""
        if not texts:
            return [], meanwhile()
        texts = [_bounded(text) for text in texts]
        with ThreadPoolExecutor(1, thread_name_prefix="kikimimi-model") as model_thread:
            model_outputs = model_thread.submit(self._predict, texts)
            languages = [
                self._languages.detect(text, hints[row] if hints is not None else None).lang
                for row, text in enumerate(texts)
            ]
            done = meanwhile()
            raw_sentiment, raw_complaint, embeddings = model_outputs.result()
        calibration = self.calibration
        sentiment = calibrated_sentiment(raw_sentiment, calibration.sentiment_temperature)
        complaint = calibrated_complaint(raw_complaint, calibration.complaint_temperature)
        labels = sentiment_decisions(sentiment, calibration.negative_threshold)
        topics = self._topics.match(texts, embeddings)
        results = []
        for row, text in enumerate(texts):
            probabilities = {
                label: round(float(p), 4)
                for label, p in zip(SENTIMENT_LABELS, sentiment[row], strict=True)
            }
            results.append(
                TextScores(
                    lang=languages[row],
                    sentiment=SENTIMENT_LABELS[int(labels[row])],
                    probabilities=probabilities,
                    intent=decide_intent(
                        text,
                        float(complaint[row]),
                        probabilities["positive"],
                        complaint_threshold=calibration.complaint_threshold,
                    ),
                    topics=topics[row],
                )
            )
        return results, done


def _backend(requested: str, hugging_face: bool, device: str, model_dir: Path) -> str:
    """The backend that runs: ``auto`` resolved, impossible combinations refused."""
    if requested == "auto":
        return "torch" if hugging_face or device == "cuda" else "onnx"
    if requested == "onnx" and hugging_face:
        raise ModelError(
            f"{model_dir} is a Hugging Face model, which the torch backend runs: set "
            "nlp.backend to auto or torch (the onnx backend runs kikimimi's own models)"
        )
    if requested == "onnx" and device == "cuda":
        raise ModelError(
            "nlp.device is cuda, but the onnx backend runs on the CPU: set nlp.backend to "
            "auto or torch"
        )
    return requested


def _calibration(model: Calibration, nlp: NlpSettings) -> Calibration:
    """The model's calibration with the thresholds the settings override."""
    return replace(
        model,
        negative_threshold=(
            nlp.negative_threshold
            if nlp.negative_threshold is not None
            else model.negative_threshold
        ),
        complaint_threshold=(
            nlp.complaint_threshold
            if nlp.complaint_threshold is not None
            else model.complaint_threshold
        ),
    )


def analysed_text(mention: Mention) -> str:
    """What the analysis reads of a mention: its title and text, bounded."""
    return _bounded(f"{mention.title}\n{mention.text}" if mention.title else mention.text)


def _bounded(text: str) -> str:
    return text[:MAX_ANALYSED_CHARS]
