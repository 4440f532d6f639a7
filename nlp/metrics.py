"""Classification metrics: accuracy, macro-recall, macro-F1, per-class precision/recall."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    """Scores of predictions against gold labels."""

    count: int
    accuracy: float
    macro_recall: float
    macro_f1: float
    per_class: dict[str, ClassScores]

    def as_dict(self) -> dict[str, float]:
        flat = {
            "count": float(self.count),
            "accuracy": self.accuracy,
            "macro_recall": self.macro_recall,
            "macro_f1": self.macro_f1,
        }
        for label, scores in self.per_class.items():
            flat[f"{label}_precision"] = scores.precision
            flat[f"{label}_recall"] = scores.recall
        return flat

    def render(self) -> str:
        lines = [
            f"examples      {self.count}",
            f"accuracy      {self.accuracy:.4f}",
            f"macro-recall  {self.macro_recall:.4f}",
            f"macro-F1      {self.macro_f1:.4f}",
            f"{'class':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}",
        ]
        for label, s in self.per_class.items():
            lines.append(
                f"{label:<12}{s.precision:>10.4f}{s.recall:>10.4f}{s.f1:>10.4f}{s.support:>9}"
            )
        return "\n".join(lines)


def score(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Report:
    """Compare ``predicted`` with ``gold``; macro averages run over the classes in ``gold``."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    per_class: dict[str, ClassScores] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        predicted_count = sum(1 for p in predicted if p == label)
        support = sum(1 for g in gold if g == label)
        precision = tp / predicted_count if predicted_count else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = ClassScores(precision, recall, f1, support)
    present = [s for s in per_class.values() if s.support]
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return Report(
        count=len(gold),
        accuracy=correct / len(gold) if gold else 0.0,
        macro_recall=sum(s.recall for s in present) / len(present) if present else 0.0,
        macro_f1=sum(s.f1 for s in present) / len(present) if present else 0.0,
        per_class=per_class,
    )


def side_by_side(reports: Mapping[str, Report]) -> str:
    """Several models' reports on the same data, one column per model (named by the keys)."""
    columns = list(reports.values())
    width = max(12, *(len(name) + 2 for name in reports))
    rows: list[tuple[str, list[str]]] = [
        ("examples", [str(r.count) for r in columns]),
        ("accuracy", [f"{r.accuracy:.4f}" for r in columns]),
        ("macro-recall", [f"{r.macro_recall:.4f}" for r in columns]),
        ("macro-F1", [f"{r.macro_f1:.4f}" for r in columns]),
    ]
    for label in columns[0].per_class:
        for measure in ("precision", "recall", "f1"):
            values = [f"{getattr(r.per_class[label], measure):.4f}" for r in columns]
            rows.append((f"{label} {measure}", values))
    header = f"{'':<24}" + "".join(f"{name:>{width}}" for name in reports)
    return "\n".join(
        [
            header,
            *(f"{name:<24}" + "".join(f"{v:>{width}}" for v in values) for name, values in rows),
        ]
    )
