"""The int8 export's recipes: calibration posts, and the portable recipe that CPUs without
VNNI get (built here on a VNNI CPU; on another, it is the cached export the backend tests
run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from config import default_cache_dir
from nlp import DEFAULT_MODEL_DIR
from nlp.classifier import load_model
from nlp.inference import torch_predict
from nlp.onnx_backend import OnnxClassifier, build_onnx, int8_recipe
from nlp.onnx_export import calibration_texts, export_int8
from nlp.training.data import in_holdout
from tests.nlp.onnx_graphs import export_graph, float_weight_matmuls, op_count

pytestmark = pytest.mark.slow  # the recipe's module loads torch and the ONNX tools


def test_calibration_posts_are_fixed_training_posts() -> None:
    texts = calibration_texts()
    assert len(texts) == 300 and texts == calibration_texts()
    assert not any(in_holdout(text, 0.4) for text in texts)  # none is a validation post


def test_the_portable_recipe_keeps_down_projections_in_float_and_follows_torch(
    tmp_path: Path,
) -> None:
    if int8_recipe() == "portable":  # this CPU's recipe: the export the backend runs
        target = build_onnx(DEFAULT_MODEL_DIR, default_cache_dir())
    else:
        target = tmp_path / "portable.onnx"
        export_int8(DEFAULT_MODEL_DIR, target, "portable")
    graph = export_graph(target)
    float_matmuls = float_weight_matmuls(graph)
    model, config = load_model(DEFAULT_MODEL_DIR)
    assert len(float_matmuls) == config.num_layers
    assert all("/output/dense/" in name and "/attention/" not in name for name in float_matmuls)
    assert op_count(graph, "MultiHeadAttention") == 0
    assert op_count(graph, "LayerNormalization") >= 2 * config.num_layers  # + the embeddings'
    assert not op_count(graph, "SkipLayerNormalization") and not op_count(graph, "BiasGelu")
    texts = calibration_texts()[::3]
    exported = OnnxClassifier(target, config.max_length).predict(texts)
    reference = torch_predict(model, texts, config.max_length)
    assert np.abs(exported[0] - reference[0]).max() < 0.1
    assert np.mean(exported[0].argmax(axis=1) == reference[0].argmax(axis=1)) >= 0.97
