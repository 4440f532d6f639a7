"""The NLP model settings: which model, its label mapping, decision thresholds, device."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import load_settings
from tests.config.config_errors import error


def load(tmp_path: Path, nlp: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(f"nlp:\n{nlp}", encoding="utf-8")
    return path


def test_the_defaults_are_the_shipped_model_as_calibrated(tmp_path: Path) -> None:
    nlp = load_settings(load(tmp_path, "  languages: [en]\n")).nlp
    assert (nlp.model, nlp.labels, nlp.backend, nlp.device) == (None, {}, "auto", "auto")
    assert nlp.negative_threshold is None and nlp.complaint_threshold is None


def test_a_hugging_face_model_with_its_label_mapping(tmp_path: Path) -> None:
    path = load(
        tmp_path,
        "  model: models/mine\n"
        "  labels: {LABEL_0: negative, LABEL_1: neutral, LABEL_2: positive, LABEL_3: complaint}\n"
        "  negative_threshold: 0.35\n"
        "  complaint_threshold: 0.6\n"
        "  device: cpu\n",
    )
    nlp = load_settings(path).nlp
    assert nlp.model == tmp_path / "models" / "mine"  # relative to the file
    assert nlp.labels["LABEL_3"] == "complaint"
    assert (nlp.negative_threshold, nlp.complaint_threshold, nlp.device) == (0.35, 0.6, "cpu")


def test_model_dir_is_still_read_as_the_older_name_of_model(tmp_path: Path) -> None:
    nlp = load_settings(load(tmp_path, "  model_dir: models/mine\n")).nlp
    assert nlp.model == tmp_path / "models" / "mine"
    path = load(tmp_path, "  model: a\n  model_dir: b\n")
    assert error(path) == (
        f"{path}:3: nlp.model_dir: set nlp.model only (model_dir is its older name) (got 'b')"
    )


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("negative_threshold", "1.5", "Input should be less than 1 (got 1.5)"),
        ("negative_threshold", "0", "Input should be greater than 0 (got 0)"),
        ("complaint_threshold", "1", "Input should be less than 1 (got 1)"),
        (
            "complaint_threshold",
            "high",
            "Input should be a valid number, unable to parse string as a number (got 'high')",
        ),
    ],
)
def test_thresholds_outside_zero_to_one_are_errors(
    tmp_path: Path, setting: str, value: str, message: str
) -> None:
    path = load(tmp_path, f"  languages: [en]\n  {setting}: {value}\n")
    assert error(path) == f"{path}:3: nlp.{setting}: {message}"


def test_a_label_mapped_to_something_else_is_an_error(tmp_path: Path) -> None:
    path = load(tmp_path, "  labels:\n    LABEL_0: angry\n")
    assert error(path) == (
        f"{path}:3: nlp.labels.LABEL_0: Input should be 'negative', 'neutral', 'positive' or "
        "'complaint' (got 'angry')"
    )


def test_an_unknown_device_is_an_error(tmp_path: Path) -> None:
    path = load(tmp_path, "  device: gpu\n")
    assert (
        error(path) == f"{path}:2: nlp.device: Input should be 'auto', 'cpu' or 'cuda' (got 'gpu')"
    )
