"""NLP throughput: ``Analyzer.analyze()`` per backend against the raw model forward pass.

Generates ``--count`` realistic mixed English/Japanese posts (see ``benchmarks.synthetic``),
then for each backend measures posts/s of the full ``analyze()`` (language, brands, model,
intent, topics, records) and of the raw forward pass alone on the same texts (title and
text, as ``analyze()`` reads them) in tokenized, length-sorted batches (the bound). The onnx
line names the int8 recipe this CPU gets (``vnni`` or ``portable``, see ``nlp/onnx_export.py``).
The last line is ``ratio full/raw (<default>): X.XX``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial

from benchmarks.synthetic import generate_mentions
from config import default_cache_dir, load_settings
from nlp import (
    Analyzer,
    Batch,
    BatchRunner,
    OnnxClassifier,
    analysed_text,
    build_onnx,
    int8_recipe,
    load_model,
    make_batches,
    torch_runner,
)


def timed(works: Sequence[Callable[[], object]], repeat: int) -> list[float]:
    """Median seconds of ``repeat`` runs of each of ``works`` (after one warm-up run each).

    The works take turns, so a slower or faster spell of a shared machine counts for all.
    """
    runs: list[list[float]] = [[] for _ in works]
    for round_ in range(repeat + 1):
        for work, seconds in zip(works, runs, strict=True):
            started = time.perf_counter()
            work()
            if round_:
                seconds.append(time.perf_counter() - started)
    return [statistics.median(seconds) for seconds in runs]


def run_all(run: BatchRunner, batches: Sequence[Batch]) -> None:
    """The raw bound: only the model, on prepared batches."""
    for batch in batches:
        run(batch)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="posts (default 5000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, median reported")
    parser.add_argument("--backends", default="onnx,torch", help="comma-separated")
    parser.add_argument("--seed", type=int, default=20261101)
    args = parser.parse_args(argv)

    settings = load_settings()
    mentions = generate_mentions(args.count, args.seed)
    texts = [analysed_text(m) for m in mentions]
    ratios: dict[str, float] = {}
    for backend in args.backends.split(","):
        analyzer = Analyzer(settings, backend=backend, progress=lambda s: print(s, file=sys.stderr))
        config = analyzer.config
        batches = make_batches(texts, config.max_length, analyzer.batch_size)
        run: BatchRunner
        if backend == "onnx":
            run = OnnxClassifier(
                build_onnx(analyzer.model_dir, default_cache_dir()),
                config.max_length,
                settings.nlp.threads or None,
            ).run
        else:
            run = torch_runner(load_model(analyzer.model_dir)[0])
        print(f"[bench] {backend}: timing analyze() and the raw forward pass", file=sys.stderr)
        full, raw = timed(
            [partial(analyzer.analyze, mentions), partial(run_all, run, batches)], args.repeat
        )
        ratios[backend] = raw / full
        name = f"{backend} (int8 recipe {int8_recipe()})" if backend == "onnx" else backend
        print(
            f"{name}: analyze() {args.count / full:,.0f} posts/s "
            f"({full * 1000 / args.count:.2f} ms/post); raw forward {args.count / raw:,.0f} "
            f"posts/s; ratio {raw / full:.2f}"
        )
    default = settings.nlp.backend if settings.nlp.backend in ratios else next(iter(ratios))
    print(f"ratio full/raw ({default}): {ratios[default]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
