"""``kikimimi nlp score`` and ``nlp eval`` as other programs use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nlp import DEFAULT_MODEL_DIR, int8_recipe
from tests.nlp.hf_models import save_hf_model

pytestmark = pytest.mark.slow


def kikimimi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kikimimi", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


def test_score_keeps_order_and_skips_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "Hoshi Mobile double charged me, refund now!"}),
                "{broken",
                json.dumps({"id": "b", "text": "ほしモバイルのサポート最高！", "lang": "ja"}),
                json.dumps({"id": 3, "text": "id must be a string"}),
                json.dumps({"id": "c", "text": "how do I port my number?"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = kikimimi("nlp", "score", "--in", str(source), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "line 2: skipped" in result.stderr and "line 4: skipped" in result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    first = lines[0]
    assert set(first) == {"id", "lang", "sentiment", "intent", "topics"}
    assert first["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert set(first["sentiment"]["scores"]) == {"negative", "neutral", "positive"}
    assert lines[1]["lang"] == "ja"
    assert lines[2]["intent"] == "question"


def test_build_names_the_model_and_the_int8_recipe_of_this_cpu() -> None:
    result = kikimimi("nlp", "build")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"(int8 recipe {int8_recipe()})")
    assert f"ready: {DEFAULT_MODEL_DIR.name}/onnx from " in result.stdout


def test_scores_printed_to_a_terminal_carry_no_raw_control_characters(tmp_path: Path) -> None:
    hostile_id = "a\u202e\x9b2J\u200b\x1b]0;x\x07"
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": hostile_id, "text": "Hoshi Mobile is down"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    result = kikimimi("nlp", "score", "--in", str(source), "--out", "-")
    assert result.returncode == 0, result.stderr
    assert [
        raw for raw in ("\u202e", "\x9b", "\u200b", "\x1b", "\x07") if raw in result.stdout
    ] == []
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["id"] == hostile_id  # escaped, not lost


def test_eval_prints_the_metrics(tmp_path: Path) -> None:
    data = tmp_path / "eval.jsonl"
    rows = [
        {"text": "worst service ever, cancelling", "label": "negative"},
        {"text": "thank you so much, sorted in minutes!", "label": "positive"},
        {"text": "the store opens at 10 tomorrow", "label": "neutral"},
        {"text": "最悪、二度と使わない", "label": "negative"},
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    result = kikimimi("nlp", "eval", "--data", str(data), "--backend", "torch")
    assert result.returncode == 0, result.stderr
    for name in ("accuracy", "macro-recall", "macro-F1", "negative", "precision", "recall"):
        assert name in result.stdout


def test_eval_of_another_model_prints_it_next_to_the_shipped_one(tmp_path: Path) -> None:
    model = save_hf_model(tmp_path / "my-model", ["LABEL_0", "LABEL_1", "LABEL_2"], [1.0, 0, 0])
    config = tmp_path / "kikimimi.yaml"
    config.write_text(
        f"nlp:\n  model: {model}\n  labels: {{LABEL_0: negative, LABEL_1: neutral, "
        "LABEL_2: positive}\n",
        encoding="utf-8",
    )
    data = tmp_path / "eval.jsonl"
    rows = [
        {"text": "worst service ever, cancelling", "label": "negative"},
        {"text": "thank you so much, sorted in minutes!", "label": "positive"},
        {"text": "the store opens at 10 tomorrow", "label": "neutral"},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    result = kikimimi(
        "--config", str(config), "nlp", "eval", "--data", str(data), "--backend", "torch"
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    shipped = f"{DEFAULT_MODEL_DIR.name}/torch"
    assert lines[0] == f"{data} (my-model/torch, {shipped} (shipped))"
    assert lines[1].split() == ["my-model/torch", shipped, "(shipped)"]
    accuracy = lines[3].split()
    assert accuracy[0] == "accuracy" and accuracy[1] == f"{1 / 3:.4f}"  # says negative to all
    only_mine = kikimimi(
        "--config", str(config), "nlp", "eval", "--data", str(data), "--no-compare"
    )
    assert only_mine.returncode == 0, only_mine.stderr
    assert "(shipped)" not in only_mine.stdout and "macro-recall" in only_mine.stdout


def test_train_refuses_to_start_from_a_teacher_it_was_not_given(tmp_path: Path) -> None:
    result = kikimimi("nlp", "train", "--init-from-teacher", "--out", str(tmp_path / "model"))

    assert result.returncode == 2
    assert "--init-from-teacher needs --teacher DIRECTORY" in result.stderr
    assert not (tmp_path / "model").exists()


def test_train_refuses_more_layers_than_the_encoder_has(tmp_path: Path) -> None:
    result = kikimimi("nlp", "train", "--layers", "13", "--out", str(tmp_path / "model"))

    assert result.returncode == 2
    assert "Invalid value for '--layers': 13 is not in the range 1<=x<=12" in result.stderr
