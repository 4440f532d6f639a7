"""The int8 ONNX export: what a post gets does not depend on the posts batched with it; the
recipe follows the CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from config.paths import default_cache_dir
from nlp import DEFAULT_MODEL_DIR
from nlp.classifier import load_config
from nlp.onnx_backend import OnnxClassifier, build_onnx, int8_recipe, open_session
from tests.nlp.onnx_graphs import export_graph, float_weight_matmuls, op_count

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "data" / "labelled"


def _posts(count: int) -> list[str]:
    """English and Japanese posts of varied lengths (so batches are padded differently)."""
    texts: list[str] = []
    for name in ("en_care_posts.jsonl", "ja_posts.jsonl"):
        lines = (LABELLED / name).read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line.strip()][: count // 2]
    return texts


@pytest.mark.parametrize(
    ("flags", "recipe"),
    [
        ("fpu sse2 avx2 avx512f avx512_vnni", "vnni"),
        ("fpu sse2 avx2 avx_vnni", "vnni"),
        ("fpu sse2 avx2 amx_int8", "vnni"),
        ("fpu sse2 avx2 avx512f avx512bw", "portable"),  # 16-bit sums: 7-bit weights
    ],
)
def test_the_recipe_follows_the_cpu_flags(tmp_path: Path, flags: str, recipe: str) -> None:
    cpu_info = tmp_path / "cpuinfo"
    cpu_info.write_text(f"processor\t: 0\nflags\t\t: {flags}\n\nprocessor\t: 1\n")
    assert int8_recipe(cpu_info) == recipe


def test_unreadable_cpu_flags_get_the_portable_recipe(tmp_path: Path) -> None:
    assert int8_recipe(tmp_path / "missing") == "portable"
    (tmp_path / "arm").write_text("processor\t: 0\nFeatures\t: fp asimd\n")
    assert int8_recipe(tmp_path / "arm") == "portable"


def test_the_export_is_built_by_this_cpus_recipe() -> None:
    path = build_onnx(DEFAULT_MODEL_DIR, default_cache_dir())
    graph = export_graph(path)
    float_matmuls = float_weight_matmuls(graph)
    attention = op_count(graph, "MultiHeadAttention")
    layers = load_config(DEFAULT_MODEL_DIR).num_layers
    assert path.name.endswith(f"-{int8_recipe()}.onnx")
    assert op_count(graph, "LayerNormalization") >= 2 * layers  # portable: + the embeddings'
    assert not op_count(graph, "SkipLayerNormalization") and not op_count(graph, "BiasGelu")
    if int8_recipe() == "vnni":  # the first layer's down-projection stays in float
        assert float_matmuls == ["/model/encoder/encoder/layer.0/output/dense/MatMul"]
        assert attention == layers
    else:  # the down-projections stay in float
        assert len(float_matmuls) == layers and not attention


def test_the_session_keeps_the_exports_plain_layer_norms_and_gelus(tmp_path: Path) -> None:
    """ONNX Runtime would fuse them into its slower SkipLayerNormalization and BiasGelu."""
    optimized = tmp_path / "optimized.onnx"
    open_session(build_onnx(DEFAULT_MODEL_DIR, default_cache_dir()), optimized_copy=optimized)
    graph = export_graph(optimized)
    layers = load_config(DEFAULT_MODEL_DIR).num_layers
    assert op_count(graph, "LayerNormalization") >= 2 * layers  # portable: + the embeddings'
    assert op_count(graph, "Gelu") == layers
    assert not op_count(graph, "SkipLayerNormalization") and not op_count(graph, "BiasGelu")


def test_outputs_do_not_depend_on_batch_mates() -> None:
    classifier = OnnxClassifier(
        build_onnx(DEFAULT_MODEL_DIR, default_cache_dir()),
        load_config(DEFAULT_MODEL_DIR).max_length,
    )
    texts = _posts(40)
    alone = classifier.predict(texts, batch_size=1)
    together = classifier.predict(texts, batch_size=40)
    sevens = classifier.predict(texts, batch_size=7)
    for other in (together, sevens):
        assert list(other[0].argmax(axis=1)) == list(alone[0].argmax(axis=1))
        for mine, theirs in zip(alone, other, strict=True):
            np.testing.assert_allclose(theirs, mine, rtol=0, atol=1e-5)


def test_scoring_on_the_onnx_backend_loads_neither_torch_nor_spacy() -> None:
    """They take seconds to import: ``kikimimi nlp score`` starts without them."""
    code = (
        "import sys\n"
        "from config import load_settings\n"
        "from nlp import Analyzer\n"
        "Analyzer(load_settings(), backend='onnx').score_texts(['Hoshi Mobile is down'])\n"
        "print(sorted({'torch', 'transformers', 'spacy'} & set(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"
