"""The Analyzer's calibrated decisions: the model's temperatures and thresholds, overridden
by the settings; the device and backend it runs on."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import torch

from config import Settings
from core import ModelError
from nlp import DEFAULT_MODEL_DIR
from nlp.analyzer import Analyzer
from nlp.classifier import CONFIG_FILE, WEIGHTS_FILE, load_model
from nlp.decisions import calibrated_sentiment
from nlp.inference import resolve_device, torch_predict
from tests.nlp.hf_models import save_hf_model

POSTS = [
    "Hoshi Mobile charged me twice this month and support won't answer. Fix it!",
    "@hoshi_support how do I reissue my eSIM?",
    "Thanks Hoshi Mobile, the new plan is great value",
    "Nami Telecom is down again, third outage this week",
    "ほしモバイルの通信障害がひどい、もう三回目",
    "ほしモバイルのサポート、神対応でした！ありがとう",
    "the store opens at 10 tomorrow",
]


def settings(**nlp: object) -> Settings:
    return Settings.model_validate({"nlp": nlp})


@pytest.mark.slow
def test_a_probability_row_turns_negative_when_it_reaches_the_threshold(tmp_path: Path) -> None:
    # every post gets exactly (negative 0.35, neutral 0.40, positive 0.25)
    row = [math.log(0.35), math.log(0.40), math.log(0.25)]
    model = save_hf_model(tmp_path / "row", ["negative", "neutral", "positive"], row)

    def labels(**thresholds: float) -> list[str]:
        analyzer = Analyzer(settings(model=model, **thresholds))
        return [s.sentiment for s in analyzer.score_texts(POSTS[:2])]

    assert labels() == ["neutral", "neutral"]  # no threshold: the most probable label
    assert labels(negative_threshold=0.34) == ["negative", "negative"]
    assert labels(negative_threshold=0.36) == ["neutral", "neutral"]


@pytest.mark.slow
def test_the_models_calibration_applies_and_the_settings_override_its_thresholds(
    tmp_path: Path,
) -> None:
    model = tmp_path / DEFAULT_MODEL_DIR.name
    model.mkdir()
    shutil.copy(DEFAULT_MODEL_DIR / WEIGHTS_FILE, model / WEIGHTS_FILE)
    config = json.loads((DEFAULT_MODEL_DIR / CONFIG_FILE).read_text(encoding="utf-8"))
    config["calibration"] = {
        "sentiment_temperature": 2.0,
        "complaint_temperature": 1.0,
        "negative_threshold": 0.05,
        "complaint_threshold": 0.999,
    }
    (model / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    care, model_config = load_model(model)
    raw, complaint, _ = torch_predict(care, POSTS, model_config.max_length)
    calibrated = calibrated_sentiment(raw, 2.0)

    as_trained = Analyzer(settings(model=model, backend="torch")).score_texts(POSTS)
    overridden = Analyzer(
        settings(model=model, backend="torch", negative_threshold=0.9, complaint_threshold=0.2)
    ).score_texts(POSTS)

    for result, probabilities in zip(as_trained, calibrated, strict=True):
        assert list(result.probabilities.values()) == pytest.approx(probabilities, abs=1e-4)
    assert [s.sentiment for s in as_trained] == [
        "negative" if p[0] >= 0.05 else ("neutral" if p[1] >= p[2] else "positive")
        for p in calibrated
    ]
    assert [s.intent == "complaint" for s in as_trained] == list(complaint >= 0.999)
    assert [s.sentiment for s in overridden] == [
        "negative" if p[0] >= 0.9 else ("neutral" if p[1] >= p[2] else "positive")
        for p in calibrated
    ]
    assert [s.intent == "complaint" for s in overridden] == list(complaint >= 0.2)
    assert [s.sentiment for s in as_trained] != [s.sentiment for s in overridden]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error() -> None:
    message = (
        "nlp.device is cuda, but torch sees no CUDA GPU (no GPU, no driver, or a CPU-only "
        "torch build); set nlp.device to auto or cpu"
    )
    with pytest.raises(ModelError) as caught:
        Analyzer(settings(device="cuda"))
    assert str(caught.value) == message
    assert resolve_device("auto") == resolve_device("cpu") == torch.device("cpu")


def test_cuda_with_the_onnx_backend_is_an_error() -> None:
    with pytest.raises(ModelError, match="the onnx backend runs on the CPU"):
        Analyzer(settings(device="cuda", backend="onnx"))


def test_a_label_mapping_for_a_kikimimi_model_is_an_error() -> None:
    with pytest.raises(ModelError, match=r"nlp\.labels maps a Hugging Face model's labels"):
        Analyzer(settings(labels={"LABEL_0": "negative"}))
