"""Bring your own model: a Hugging Face model directory through the same Analyzer."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from config import Settings
from core import Mention, ModelError
from nlp.analyzer import Analyzer
from nlp.hf_backend import HfClassifier, map_labels
from tests.nlp.hf_models import save_hf_model

POSTS = [
    "Hoshi Mobile charged me twice this month and support won't answer. Fix it!",
    "how do I reissue my eSIM?",
    "Thanks Hoshi Mobile, the new plan is great value",
    "ほしモバイルの通信障害がひどい、もう三回目",
    "eSIMの再発行ってどこで申し込めますか？",
]
STARS = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]


def settings(model: Path, **nlp: object) -> Settings:
    return Settings.model_validate({"nlp": {"model": model, **nlp}})


@pytest.fixture(scope="module")
def reversed_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Labels in the opposite order to kikimimi's, LABEL_0 (positive) clearly winning."""
    return save_hf_model(
        tmp_path_factory.mktemp("hf") / "my-care-model",
        ["LABEL_0", "LABEL_1", "LABEL_2"],
        [2.0, 0.0, -1.0],
    )


@pytest.fixture(scope="module")
def random_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random weights throughout: every post gets its own outputs."""
    return save_hf_model(
        tmp_path_factory.mktemp("hf") / "random", ["negative", "neutral", "positive"]
    )


@pytest.mark.slow
def test_a_hugging_face_model_scores_posts_through_the_analyzer(reversed_model: Path) -> None:
    labels = {"LABEL_0": "positive", "LABEL_1": "neutral", "LABEL_2": "negative"}
    analyzer = Analyzer(settings(reversed_model, labels=labels, device="cpu"))

    scores = analyzer.score_texts(POSTS)

    assert analyzer.backend == "torch" and analyzer.model_id == "my-care-model/torch"
    expected = math.exp(2) / (math.exp(2) + 1 + math.exp(-1))
    for result in scores:
        assert result.sentiment == "positive"
        assert result.probabilities["positive"] == pytest.approx(expected, abs=1e-4)
        assert sum(result.probabilities.values()) == pytest.approx(1, abs=1e-3)
    # no complaint label: intent comes from the question and praise rules alone
    assert [s.intent for s in scores] == ["praise", "question", "praise", "praise", "question"]
    now = datetime(2026, 11, 20, tzinfo=UTC)
    [record] = analyzer.analyze(
        [Mention(source="t", native_id="1", text=POSTS[0], published_at=now, collected_at=now)]
    )
    assert record.sentiment is not None and record.sentiment.model == "my-care-model/torch"


@pytest.mark.slow
def test_embeddings_are_the_normalised_mean_of_the_last_hidden_state(random_model: Path) -> None:
    classifier = HfClassifier(random_model, {})
    embeddings = classifier.predict(POSTS)[2]

    tokenizer = AutoTokenizer.from_pretrained(random_model, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(random_model, local_files_only=True)
    encoded = tokenizer(POSTS[3], return_tensors="pt")
    with torch.inference_mode():
        hidden = model.bert(**encoded).last_hidden_state[0]
    expected = torch.nn.functional.normalize(hidden.mean(0), dim=-1).numpy()
    np.testing.assert_allclose(embeddings[3], expected, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_outputs_do_not_depend_on_batch_mates(random_model: Path) -> None:
    classifier = HfClassifier(random_model, {})
    alone = classifier.predict(POSTS, batch_size=1)
    together = classifier.predict(POSTS, batch_size=len(POSTS))
    for mine, theirs in zip(alone, together, strict=True):
        np.testing.assert_allclose(theirs, mine, rtol=0, atol=1e-5)


@pytest.mark.slow
def test_a_complaint_label_gives_the_complaint_probability(tmp_path: Path) -> None:
    model = save_hf_model(
        tmp_path / "with-complaints", ["neg", "neu", "pos", "Complaint"], [0.0, 0.0, 0.0, 2.0]
    )
    labels = {"neg": "negative", "neu": "neutral", "pos": "positive"}

    default = Analyzer(settings(model, labels=labels)).score_texts(POSTS[:2])
    stricter = Analyzer(settings(model, labels=labels, complaint_threshold=0.75))

    assert [s.intent for s in default] == ["complaint", "complaint"]
    assert [s.intent for s in stricter.score_texts(POSTS[:2])] == ["other", "question"]
    # sentiment is the softmax over the sentiment labels only
    assert default[0].probabilities == pytest.approx(
        {"negative": 1 / 3, "neutral": 1 / 3, "positive": 1 / 3}, abs=1e-4
    )


@pytest.mark.slow
def test_unmapped_labels_are_an_error_naming_the_models_labels(reversed_model: Path) -> None:
    with pytest.raises(ModelError) as caught:
        Analyzer(settings(reversed_model, labels={"LABEL_0": "positive"}))
    assert str(caught.value) == (
        f"the model in {reversed_model} has labels LABEL_0, LABEL_1, LABEL_2: map LABEL_1, "
        "LABEL_2 to negative, neutral, positive or complaint in nlp.labels"
    )


def test_mapping_a_label_the_model_does_not_have_is_an_error() -> None:
    with pytest.raises(ModelError) as caught:
        map_labels(["NEG", "POS"], {"NEG": "negative", "NEUTRAL": "neutral"}, Path("m"))
    assert str(caught.value) == (
        "nlp.labels maps NEUTRAL, which the model in m does not have; its labels are NEG, POS"
    )


def test_a_model_without_a_negative_label_is_an_error() -> None:
    with pytest.raises(ModelError) as caught:
        map_labels(["joy", "calm"], {"joy": "positive", "calm": "neutral"}, Path("m"))
    assert str(caught.value) == (
        "no label of the model in m maps to negative: its labels are joy, calm "
        "(map them in nlp.labels)"
    )


def test_labels_named_like_kikimimis_map_to_themselves_and_may_share_a_sentiment() -> None:
    binary = map_labels(["NEGATIVE", "POSITIVE"], {}, Path("m"))
    stars = map_labels(
        STARS,
        dict(zip(STARS, ["negative", "negative", "neutral", "positive", "positive"], strict=True)),
        Path("m"),
    )
    logits = np.log(np.array([[0.1, 0.2, 0.3, 0.25, 0.15]], dtype=np.float32))

    np.testing.assert_allclose(
        binary.sentiment_probabilities(np.array([[0.0, 0.0]], dtype=np.float32)), [[0.5, 0, 0.5]]
    )
    np.testing.assert_allclose(stars.sentiment_probabilities(logits), [[0.3, 0.3, 0.4]], atol=1e-6)
    assert stars.complaint == ()


def test_a_multi_label_models_complaint_is_the_sigmoid_of_its_logit() -> None:
    labels = map_labels(["negative", "neutral", "positive", "complaint"], {}, Path("m"))
    logits = np.array([[0.0, 0.0, 0.0, 1.0]], dtype=np.float32)

    multi = labels.complaint_probabilities(logits, multi_label=True)
    single = labels.complaint_probabilities(logits, multi_label=False)

    np.testing.assert_allclose(multi, [1 / (1 + math.exp(-1))], atol=1e-6)
    np.testing.assert_allclose(single, [math.e / (math.e + 3)], atol=1e-6)


def test_the_onnx_backend_refuses_a_hugging_face_model(tmp_path: Path) -> None:
    config = {"architectures": ["BertForSequenceClassification"]}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError) as caught:
        Analyzer(settings(tmp_path, backend="onnx"))
    assert str(caught.value) == (
        f"{tmp_path} is a Hugging Face model, which the torch backend runs: set nlp.backend to "
        "auto or torch (the onnx backend runs kikimimi's own models)"
    )


def test_a_model_that_is_not_a_classifier_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["BertModel"]}))
    with pytest.raises(ModelError, match=r"is BertModel, not a sequence-classification model"):
        Analyzer(settings(tmp_path))
