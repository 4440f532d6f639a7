"""What an int8 export's graph holds, for the export tests."""

from __future__ import annotations

from pathlib import Path

import onnx


def export_graph(path: Path) -> onnx.GraphProto:
    """The graph of the export at ``path``."""
    return onnx.load(str(path)).graph


def float_weight_matmuls(graph: onnx.GraphProto) -> list[str]:
    """The MatMuls whose weight is a float initializer (int8 ones read theirs through a
    DequantizeLinear)."""
    weights = {w.name for w in graph.initializer}
    return [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights]


def op_count(graph: onnx.GraphProto, op_type: str) -> int:
    """How many nodes of ``op_type`` the graph has."""
    return sum(n.op_type == op_type for n in graph.node)
