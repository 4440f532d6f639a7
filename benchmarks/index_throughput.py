"""Indexing throughput: Kikimimi's Indexer against a raw ``helpers.streaming_bulk`` bound.

Generates ``--count`` synthetic but realistic mentions (English and Japanese posts about a
fictional mobile carrier and its competitors, spread over three months so several monthly
indices are written), then indexes the same documents, fresh each time, through

* ``raw``: ``elasticsearch.helpers.streaming_bulk`` (what ``helpers.bulk`` runs underneath)
  over action dicts prepared before timing starts, with the Indexer's batch size and byte
  bound; and
* ``indexer``: :meth:`indexer.bulk.Indexer.index` from the Mention objects (serialisation,
  retry bookkeeping, spool and dead-letter checks included).

Runs alternate raw/indexer ``--repeat`` times after an untimed warm-up; every figure printed
is the median over the runs. The last line of stdout is ``ratio indexer/raw: X.XX``.

Needs a running Elasticsearch 8.x (for example ``kikimimi es start``); every index under
``--prefix`` is deleted before and after.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers

from benchmarks.synthetic import generate_mentions
from config import ElasticsearchSettings, IndexerSettings
from core import IndexNames, Mention
from indexer import DeadLetterFile, Indexer, IndexReport, Spool, install_templates, make_client

DEFAULT_COUNT = 50_000
DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_PREFIX = "kikimimi-bench"
DEFAULT_REPEAT = 3
DEFAULT_WARMUP = 3_000
DEFAULT_SEED = 20261101

# --------------------------------------------------------------------------------------------
# Elasticsearch housekeeping
# --------------------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def delete_indices(client: Elasticsearch, prefix: str) -> None:
    """Delete every index under ``prefix`` (by name: wildcard deletes may be forbidden)."""
    found = client.indices.get(index=f"{prefix}-*", expand_wildcards="all", allow_no_indices=True)
    names = sorted(found.body)
    for start in range(0, len(names), 50):
        client.indices.delete(index=",".join(names[start : start + 50]))


def delete_templates(client: Elasticsearch, names: IndexNames) -> None:
    lenient = client.options(ignore_status=404)
    for template in (names.mentions_template, names.cases_template):
        lenient.indices.delete_index_template(name=template)
    lenient.cluster.delete_component_template(name=names.settings_component)


def reset(client: Elasticsearch, names: IndexNames) -> None:
    """Start from empty indices with freshly installed templates."""
    delete_indices(client, names.prefix)
    install_templates(client, names)
    client.cluster.health(index=f"{names.prefix}-*", wait_for_status="green", timeout="60s")


def check_count(client: Elasticsearch, names: IndexNames, expected: int, path: str) -> None:
    client.indices.refresh(index=names.mentions_alias)
    found = int(client.count(index=names.mentions_alias)["count"])
    if found != expected:
        raise SystemExit(
            f"{path}: {found} documents in {names.mentions_alias}, expected {expected}"
        )


# --------------------------------------------------------------------------------------------
# The two measured paths
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One timed pass of one path."""

    docs: int
    seconds: float
    batch_seconds: list[float]

    @property
    def rate(self) -> float:
        return self.docs / self.seconds

    @property
    def mean_batch_ms(self) -> float:
        return 1000 * statistics.fmean(self.batch_seconds)

    @property
    def p95_batch_ms(self) -> float:
        ordered = sorted(self.batch_seconds)
        return 1000 * ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def raw_actions(mentions: Sequence[Mention], names: IndexNames) -> list[dict[str, Any]]:
    return [
        {
            "_index": names.mention_index(mention.published_at),
            "_id": mention.id,
            "_source": mention.model_dump(mode="json", exclude_none=True),
        }
        for mention in mentions
    ]


def run_raw(client: Elasticsearch, actions: list[dict[str, Any]], settings: IndexerSettings) -> Run:
    """``helpers.streaming_bulk`` over prepared actions; a chunk ends every batch_size items.

    The chunk cycle time (building the chunk's body, the bulk request, reading its items) is
    taken between the last items of consecutive chunks, like the Indexer's per-batch progress.
    """
    batch_ends: list[float] = []
    created = 0
    start = time.perf_counter()
    for number, (ok, item) in enumerate(
        helpers.streaming_bulk(
            client,
            actions,
            chunk_size=settings.batch_size,
            max_chunk_bytes=settings.batch_bytes,
            raise_on_error=True,
        ),
        start=1,
    ):
        if ok and item["index"]["status"] == 201:
            created += 1
        if number % settings.batch_size == 0 or number == len(actions):
            batch_ends.append(time.perf_counter())
    seconds = time.perf_counter() - start
    if created != len(actions):
        raise SystemExit(f"raw: {created} documents created, expected {len(actions)}")
    return Run(len(actions), seconds, _intervals(start, batch_ends))


def run_indexer(
    client: Elasticsearch,
    mentions: Sequence[Mention],
    names: IndexNames,
    settings: IndexerSettings,
) -> Run:
    """:meth:`Indexer.index` over Mention objects; a batch ends at each progress callback."""
    batch_ends: list[float] = []

    def progress(_report: IndexReport) -> None:
        batch_ends.append(time.perf_counter())

    with tempfile.TemporaryDirectory(prefix="kikimimi-bench-") as scratch:
        indexer = Indexer(
            client,
            names,
            settings,
            Spool(Path(scratch) / "spool"),
            DeadLetterFile(Path(scratch) / "dead-letters.jsonl"),
            progress=progress,
        )
        start = time.perf_counter()
        report = indexer.index(mentions)
        seconds = time.perf_counter() - start
    if report.indexed != len(mentions):
        raise SystemExit(f"indexer: report {report.as_dict()}, expected indexed={len(mentions)}")
    return Run(len(mentions), seconds, _intervals(start, batch_ends))


def _intervals(start: float, ends: Iterable[float]) -> list[float]:
    previous = start
    intervals = []
    for end in ends:
        intervals.append(end - previous)
        previous = end
    return intervals or [0.0]


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.index_throughput",
        description=(
            "Index N synthetic mentions through Kikimimi's Indexer and through raw "
            "elasticsearch.helpers bulk, and compare docs/s and batch latency."
        ),
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="mentions per run")
    parser.add_argument("--url", default=DEFAULT_URL, help="Elasticsearch 8.x URL")
    parser.add_argument(
        "--prefix",
        default=DEFAULT_PREFIX,
        help="index prefix; every index under it is deleted before and after",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=IndexerSettings().batch_size,
        help="documents per bulk request, for both paths",
    )
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="runs of each path")
    parser.add_argument(
        "--warmup", type=int, default=DEFAULT_WARMUP, help="untimed documents per path first"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the data")
    args = parser.parse_args(argv)
    for name in ("count", "batch_size", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff" for char in text)


def _summary(path: str, how: str, runs: list[Run]) -> str:
    rate = statistics.median(run.rate for run in runs)
    mean = statistics.median(run.mean_batch_ms for run in runs)
    p95 = statistics.median(run.p95_batch_ms for run in runs)
    return (
        f"{path}: {rate:,.0f} docs/s, mean batch {mean:.1f} ms, p95 batch {p95:.1f} ms "
        f"(median of {len(runs)} runs; {how})"
    )


def benchmark(args: argparse.Namespace) -> int:
    client = make_client(
        ElasticsearchSettings.model_validate({"hosts": [args.url], "request_timeout_seconds": 120})
    )
    try:
        health = client.cluster.health()
    except (ApiError, TransportError) as exc:
        _log(f"cannot reach Elasticsearch at {args.url}: {exc}")
        return 2
    _log(f"cluster {health['cluster_name']} is {health['status']}")
    names = IndexNames(args.prefix)
    settings = IndexerSettings(batch_size=args.batch_size)

    _log(f"generating {args.count:,} mentions (seed {args.seed})")
    started = time.perf_counter()
    mentions = generate_mentions(args.count, args.seed)
    months = sorted({names.mention_index(m.published_at) for m in mentions})
    japanese = sum(_is_japanese(m.text) for m in mentions) / len(mentions)
    _log(
        f"generated in {time.perf_counter() - started:.1f}s: {len(months)} monthly indices, "
        f"mean text {statistics.fmean(len(m.text) for m in mentions):.0f} chars, "
        f"{japanese:.0%} Japanese"
    )
    actions = raw_actions(mentions, names)
    _log(f"documents: {args.count:,}, batch size: {args.batch_size}, runs per path: {args.repeat}")

    raw_runs: list[Run] = []
    indexer_runs: list[Run] = []
    try:
        if args.warmup:
            warm = min(args.warmup, args.count)
            _log(f"warm-up: {warm:,} documents through each path (not timed)")
            reset(client, names)
            run_raw(client, actions[:warm], settings)
            reset(client, names)
            run_indexer(client, mentions[:warm], names, settings)
        paths: list[tuple[str, list[Run], Callable[[], Run]]] = [
            ("raw", raw_runs, lambda: run_raw(client, actions, settings)),
            ("indexer", indexer_runs, lambda: run_indexer(client, mentions, names, settings)),
        ]
        for repeat in range(1, args.repeat + 1):
            for path, runs, measure in paths:
                reset(client, names)
                run = measure()
                check_count(client, names, args.count, path)
                runs.append(run)
                _log(
                    f"run {repeat}/{args.repeat} {path}: {run.rate:,.0f} docs/s "
                    f"({run.seconds:.2f}s, {len(run.batch_seconds)} batches, "
                    f"mean {run.mean_batch_ms:.1f} ms, p95 {run.p95_batch_ms:.1f} ms)"
                )
    finally:
        _log(f"deleting indices and templates under {args.prefix}")
        delete_indices(client, args.prefix)
        delete_templates(client, names)
        client.close()

    print(
        _summary(
            "raw",
            "helpers.streaming_bulk over prepared action dicts, chunk cycle times",
            raw_runs,
        )
    )
    print(
        _summary(
            "indexer",
            "Indexer.index over Mention objects, batch cycle times",
            indexer_runs,
        )
    )
    ratio = statistics.median(r.rate for r in indexer_runs) / statistics.median(
        r.rate for r in raw_runs
    )
    print(f"ratio indexer/raw: {ratio:.2f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return benchmark(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
