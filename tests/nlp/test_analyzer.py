"""The shipped model through both backends, and the Analyzer's records."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from config import Settings
from config.loader import load_settings
from core import BrandMatch, ModelError
from core.records import AnalyzedMention, Author, IndexedMention, Mention
from nlp import DEFAULT_MODEL_DIR
from nlp.analyzer import Analyzer
from nlp.batching import Outputs
from nlp.brands import BrandMatcher
from nlp.language import LanguageDetector
from nlp.onnx_backend import OnnxClassifier
from nlp.training.data import load_corpus

pytestmark = pytest.mark.slow

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
LABELLED = Path(__file__).resolve().parents[2] / "data" / "labelled"

SAMPLE = [
    "Hoshi Mobile charged me twice this month and support won't answer. Fix it!",
    "@hoshi_support how do I reissue my eSIM?",
    "Thanks Hoshi Mobile, the new plan is great value",
    "Nami Telecom is down again, third outage this week",
    "ほしモバイルの通信障害がひどい、もう三回目",
    "ほしモバイルのサポート、神対応でした！ありがとう",
    "eSIMの再発行ってどこで申し込めますか？",
    "【速報】ほしモバイル、新料金プランを発表",
    "I love hoshi tea in the morning",
    "😡😡😡",
]


@pytest.fixture(scope="module")
def analyzers() -> dict[str, Analyzer]:
    settings = load_settings()
    return {name: Analyzer(settings, backend=name) for name in ("torch", "onnx")}


def test_both_backends_agree_on_held_out_posts(analyzers: dict[str, Analyzer]) -> None:
    corpus = load_corpus(SHARED, LABELLED)
    texts = [e.text for name in ("ja_posts", "en_care") for e in corpus.validation[name]]
    texts += [e.text for e in corpus.validation["tweeteval"][:600]] + SAMPLE
    torch_scores = analyzers["torch"].score_texts(texts)
    onnx_scores = analyzers["onnx"].score_texts(texts)
    pairs = list(zip(torch_scores, onnx_scores, strict=True))
    assert np.mean([a.sentiment == b.sentiment for a, b in pairs]) >= 0.99
    assert np.mean([a.intent == b.intent for a, b in pairs]) >= 0.99


def test_clear_cases(analyzers: dict[str, Analyzer]) -> None:
    scores = analyzers["onnx"].score_texts(SAMPLE)
    assert scores[0].sentiment == "negative" and scores[0].intent == "complaint"
    assert scores[0].topics and "billing" in scores[0].topics
    assert scores[1].intent == "question"
    assert scores[2].sentiment == "positive"
    assert scores[4].lang == "ja" and scores[4].sentiment == "negative"
    assert scores[5].sentiment == "positive" and scores[5].intent == "praise"
    assert scores[6].intent == "question"
    assert scores[9].lang == "und"


def test_analyze_builds_records_with_brands(analyzers: dict[str, Analyzer]) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    mentions = [
        Mention(source="bluesky", native_id=str(i), text=text, published_at=now, collected_at=now)
        for i, text in enumerate(SAMPLE)
    ]
    analyzed = analyzers["onnx"].analyze(mentions)
    assert [a.id for a in analyzed] == [m.id for m in mentions]
    assert [b.brand for b in analyzed[0].brands] == ["Hoshi Mobile"]
    assert analyzed[1].brands[0].tagged is True
    assert analyzed[3].brands[0].role == "competitor"
    assert analyzed[8].matched_no_brand is True
    first = analyzed[0].sentiment
    assert first is not None and first.model == f"{DEFAULT_MODEL_DIR.name}/onnx"
    assert abs(sum(first.probabilities.values()) - 1) < 0.01


def test_brands_are_matched_while_the_model_runs(
    analyzers: dict[str, Analyzer], monkeypatch: pytest.MonkeyPatch
) -> None:
    matching = threading.Event()
    predict, match = OnnxClassifier.predict, BrandMatcher.match

    def model(self: OnnxClassifier, texts: Sequence[str], batch_size: int = 32) -> Outputs:
        assert matching.wait(timeout=10), "brand matching waited for the model"
        return predict(self, texts, batch_size)

    def brands(self: BrandMatcher, text: str) -> list[BrandMatch]:
        matching.set()
        return match(self, text)

    monkeypatch.setattr(OnnxClassifier, "predict", model)
    monkeypatch.setattr(BrandMatcher, "match", brands)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    mention = Mention(
        source="bluesky", native_id="1", text=SAMPLE[0], published_at=now, collected_at=now
    )
    [analyzed] = analyzers["onnx"].analyze([mention])
    assert analyzed.sentiment is not None and analyzed.sentiment.label == "negative"
    assert [b.brand for b in analyzed.brands] == ["Hoshi Mobile"]


def test_the_language_model_loads_while_the_models_session_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loading = threading.Event()
    session, detector = OnnxClassifier.__init__, LanguageDetector.__init__

    def build(self: OnnxClassifier, *args: Any) -> None:
        assert loading.wait(timeout=10), "the language model waited for the session"
        session(self, *args)

    def languages(self: LanguageDetector, *args: Any) -> None:
        loading.set()
        detector(self, *args)

    monkeypatch.setattr(OnnxClassifier, "__init__", build)
    monkeypatch.setattr(LanguageDetector, "__init__", languages)
    analyzer = Analyzer(load_settings(), backend="onnx")
    assert analyzer.score_texts(["Hoshi Mobile is down again"])[0].lang == "en"


def test_a_model_failure_reaches_the_caller(
    analyzers: dict[str, Analyzer], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(self: OnnxClassifier, texts: Sequence[str], batch_size: int = 32) -> Outputs:
        raise ModelError("the model file is damaged")

    monkeypatch.setattr(OnnxClassifier, "predict", failing)
    with pytest.raises(ModelError, match="damaged"):
        analyzers["onnx"].score_texts(["Hoshi Mobile is down"])


def test_the_shipped_model_has_a_card() -> None:
    card = (DEFAULT_MODEL_DIR / "MODEL_CARD.md").read_text()
    assert "Validation metrics" in card and "tweeteval/sentiment" in card


def test_analyze_builds_on_the_mention_itself_and_replaces_earlier_analysis(
    analyzers: dict[str, Analyzer],
) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    exported = IndexedMention(  # a document as indexed before, fed back (``kikimimi rules test``)
        source="bluesky",
        native_id="1",
        text=SAMPLE[0],
        author=Author(handle="@angry"),
        published_at=now,
        collected_at=now,
        topics=["stale"],
        rules=["old-rule"],
    )
    [analyzed] = analyzers["onnx"].analyze([exported])
    assert type(analyzed) is AnalyzedMention
    assert analyzed.author is exported.author, "the mention's values are shared, not re-parsed"
    assert analyzed.fields_of(Mention) == exported.fields_of(Mention)
    assert "stale" not in analyzed.topics


def test_posts_over_the_tokenizers_limits_are_analysed_in_bounded_form(
    analyzers: dict[str, Analyzer],
) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    texts = [  # over spaCy's limit (1,000,000 characters), over SudachiPy's (49,149 bytes)
        "Hoshi Mobile charged me twice! "
        + "The network keeps dropping my calls and support never answers. " * 20_000,
        "ほしモバイルの通信障害がひどい。" + "電話がつながらない。" * 6_000,
    ]
    mentions = [
        Mention(source="t", native_id=str(n), text=t, published_at=now, collected_at=now)
        for n, t in enumerate(texts)
    ]
    analyzed = analyzers["onnx"].analyze(mentions)
    assert [a.text for a in analyzed] == texts, "the record keeps the whole text"
    assert [[b.brand for b in a.brands] for a in analyzed] == [["Hoshi Mobile"]] * 2
    assert [a.detected_lang for a in analyzed] == ["en", "ja"]


def test_the_optional_teacher_scores_posts_through_the_analyzer() -> None:
    teacher = DEFAULT_MODEL_DIR.parent / "kikimimi-care-teacher"
    settings = Settings.model_validate({"nlp": {"model": teacher}})
    scores = Analyzer(settings, backend="torch").score_texts(SAMPLE)
    assert scores[0].sentiment == "negative" and scores[0].intent == "complaint"
    assert scores[2].sentiment == "positive"
    assert scores[4].lang == "ja" and scores[4].sentiment == "negative"
    assert scores[5].sentiment == "positive"


def test_batch_size_is_the_devices_default_unless_set_and_changes_no_result(
    analyzers: dict[str, Analyzer],
) -> None:
    assert Settings().nlp.batch_size == 0
    assert analyzers["onnx"].batch_size == 32
    assert analyzers["torch"].batch_size == (64 if torch_sees_a_gpu() else 32)
    shipped = load_settings()
    settings = shipped.model_copy(update={"nlp": shipped.nlp.model_copy(update={"batch_size": 3})})
    threes = Analyzer(settings, backend="onnx")
    assert threes.batch_size == 3
    assert threes.score_texts(SAMPLE) == analyzers["onnx"].score_texts(SAMPLE)


def torch_sees_a_gpu() -> bool:
    import torch  # noqa: PLC0415 - the torch backend has loaded it already

    return torch.cuda.is_available()
