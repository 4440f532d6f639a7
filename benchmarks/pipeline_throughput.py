"""Pipeline throughput and alert latency: queue → NLP → rules → index → cases → outbox → webhook.

Runs the real pipeline (:func:`kikimimi.wiring.pipeline`, the shipped ``config/kikimimi.yaml``
brands, rules and NLP settings) against a running Elasticsearch, in a temporary state
directory (queue, outbox, spool) and under a unique index prefix whose indices are deleted
before and after. Every notification channel is replaced by a webhook channel of the same name
pointed at a local :class:`standins.WebhookSink` on 127.0.0.1 (HMAC-signed, the
sink checks the signature), so nothing outside the machine is contacted.

1. **Throughput.** Puts ``--count`` synthetic mentions (``benchmarks.synthetic``) into the
   durable queue, then calls ``Pipeline.step(--batch-size)`` as ``kikimimi run`` does (the
   NLP of one batch overlaps the indexing and alerting of the previous one) until the queue
   is empty, while a notifier thread delivers due notices from the outbox. The clock runs
   from the first claim until the queue is empty *and* the outbox holds no pending notice,
   so end-to-end mentions/s includes indexing, cases and every notice delivered to the sink.
   The pipeline's collaborators (analyzer, rule engine, indexer, case store, outbox) are
   wrapped in timing proxies, which gives the time per stage (stages of two batches
   overlap); "other" is step time outside them (queue claim/ack, building notices). The
   bound is the NLP stage alone: ``Analyzer.analyze`` over the same mentions in the same
   batch size, in the same process with the models loaded, after a warm-up. The ratio
   end-to-end/NLP is the last line of stdout (goal: at least 0.8).
2. **Latency at a steady rate.** For each of ``--modes``, on fresh indices and state, a
   producer thread puts mentions into the queue at ``--rate`` per second for ``--seconds``;
   the pipeline takes whatever is queued (up to ``--batch-size``) and waits ``main_job``'s idle
   pause when the queue is empty; a notifier thread delivers to the sink. For every case notice
   the sink accepts, latency = sink receive time − the time its mention (``mention.id`` in the
   notice JSON) was put in the queue; it is also split at the outbox's ``enqueued_at`` into the
   pipeline's part and the notifier's part. Notifier modes:

   - ``main_job``: a delivery pass, then a 1 s wait (``kikimimi run`` before it was woken);
   - ``poll``: the same loop with a ``--fast-poll`` wait (benchmark-only);
   - ``wake``: a delivery pass as soon as the pipeline enqueued notices (the outbox proxy sets
     an event), 1 s fallback, passes repeated while a pass hits ``deliver_due``'s limit — what
     ``kikimimi run`` does.

   Prints count, p50, p95 and max per mode (goal: p95 under 5 s).

Needs a running Elasticsearch 8.x (``kikimimi es start``) and the NLP models. Progress goes
to stderr; the figures to stdout, the last line being ``ratio end-to-end/nlp: X.XX``.
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch
from pydantic import AnyHttpUrl, SecretStr

from alerts import CaseStore, Outbox, RuleEngine
from benchmarks.index_throughput import delete_indices, delete_templates
from benchmarks.synthetic import generate_mentions
from config import (
    DEFAULT_CONFIG,
    Settings,
    WebhookChannelSettings,
    load_settings,
    queue_path,
)
from core import IndexNames, Mention, SqliteMentionQueue
from indexer import Indexer, make_client
from kikimimi import wiring
from kikimimi.main_job import IDLE_SECONDS, RunOptions
from kikimimi.pipeline import MentionAnalyzer, NoticeOutbox, Pipeline, PipelineTotals
from nlp import Analyzer
from standins import Reply, Request, StandinServer, WebhookSink

DEFAULT_COUNT = 20_000
DEFAULT_RATE = 50.0
DEFAULT_SECONDS = 60.0
DEFAULT_SEED = 20261101
DEFAULT_MODES = "main_job,poll,wake"
MODES = ("main_job", "poll", "wake")
MAIN_JOB_POLL_SECONDS = 1.0  # kikimimi.main_job._Notifier: ``while not stop.wait(1.0)``
DEFAULT_FAST_POLL = 0.05
DELIVER_LIMIT = 100  # Outbox.deliver_due's default limit, which main_job uses
DRAIN_TIMEOUT_SECONDS = 600.0
WARMUP_BATCHES = 2
HOOK_PATH = "/hooks/kikimimi"
CASE_KINDS = ("case_opened", "case_updated")
STAGES = ("analyze", "rules", "index", "cases", "outbox enqueue")


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Timing proxies around the pipeline's collaborators
# --------------------------------------------------------------------------------------------


@dataclass
class StageClock:
    """Seconds and calls per stage (added by the pipeline's thread only)."""

    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: Counter[str] = field(default_factory=Counter)

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - started
            self.calls[stage] += 1


class _Timed:
    """Forwards everything to ``inner``; calls of ``method`` are timed as ``stage``."""

    def __init__(
        self,
        inner: object,
        method: str,
        stage: str,
        clock: StageClock,
        after: Callable[[Any], None] | None = None,
    ) -> None:
        self._inner = inner
        self._method = method
        self._stage = stage
        self._clock = clock
        self._after = after

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name != self._method:
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self._clock.timing(self._stage):
                result = attribute(*args, **kwargs)
            if self._after is not None:
                self._after(result)
            return result

        return timed


def instrument(
    pipeline: Pipeline, clock: StageClock, wake: threading.Event | None = None
) -> Outbox:
    """Wrap the pipeline's collaborators in timing proxies; returns the real outbox.

    With ``wake``, the event is set whenever an enqueue stored a new notice.
    """
    real_outbox = cast(Outbox, pipeline.outbox)

    def stored(new: int) -> None:
        if wake is not None and new:
            wake.set()

    pipeline.analyzer = cast(
        MentionAnalyzer, _Timed(pipeline.analyzer, "analyze", "analyze", clock)
    )
    pipeline.engine = cast(RuleEngine, _Timed(pipeline.engine, "decide", "rules", clock))
    pipeline.indexer = cast(Indexer, _Timed(pipeline.indexer, "index", "index", clock))
    pipeline.cases = cast(CaseStore, _Timed(pipeline.cases, "apply_batch", "cases", clock))
    pipeline.outbox = cast(
        NoticeOutbox, _Timed(real_outbox, "enqueue", "outbox enqueue", clock, stored)
    )
    return real_outbox


# --------------------------------------------------------------------------------------------
# The notifier and the webhook sink
# --------------------------------------------------------------------------------------------


class Notifier(threading.Thread):
    """``main_job``'s notifier (its own outbox connection and channels, built from settings),
    with the wait between passes as a parameter, an optional wake-up event, and counters."""

    def __init__(
        self,
        settings: Settings,
        stop: threading.Event,
        poll_seconds: float,
        wake: threading.Event | None = None,
    ) -> None:
        super().__init__(name="bench-notifier", daemon=True)
        self.settings = settings
        self.stop = stop
        self.poll_seconds = poll_seconds
        self.wake = wake
        self.passes = 0
        self.delivered = 0
        self.busy_seconds = 0.0
        self.errors = 0

    def finish(self) -> None:
        self.stop.set()
        if self.wake is not None:
            self.wake.set()
        self.join()

    def run(self) -> None:
        outbox = wiring.outbox(self.settings)
        channels = wiring.notification_channels(self.settings)
        outbox.release_leases()
        try:
            while not self._wait():
                self._deliver(outbox, channels)
            self._deliver(outbox, channels)
        finally:
            outbox.close()

    def _wait(self) -> bool:
        """Wait for the next pass; True once stopped."""
        if self.wake is None:
            return self.stop.wait(self.poll_seconds)
        self.wake.wait(self.poll_seconds)
        self.wake.clear()
        return self.stop.is_set()

    def _deliver(self, outbox: Outbox, channels: dict[str, Any]) -> None:
        while True:
            started = time.perf_counter()
            try:
                report = outbox.deliver_due(channels, limit=DELIVER_LIMIT)
            except Exception as exc:  # main_job logs and retries on the next pass
                self.errors += 1
                _log(f"notifier: delivery pass failed: {exc!r}")
                return
            finally:
                self.busy_seconds += time.perf_counter() - started
            self.passes += 1
            self.delivered += report.delivered
            # main_job makes one pass per wait; the proposed wake-up loop drains the backlog.
            if self.wake is None or len(report.attempts) < DELIVER_LIMIT or self.stop.is_set():
                return


@dataclass(frozen=True)
class Received:
    at: float
    kind: str
    mention_id: str | None


class TimingSink:
    """A :class:`WebhookSink` that also notes when each accepted notice key first arrived."""

    def __init__(self, sink: WebhookSink) -> None:
        self.sink = sink
        self.received: dict[str, Received] = {}
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        at = time.time()
        reply = self.sink(request)
        if reply.status == 200:
            data = json.loads(request.body)
            mention = data.get("mention") or {}
            with self._lock:
                self.received.setdefault(data["key"], Received(at, data["kind"], mention.get("id")))
        return reply


# --------------------------------------------------------------------------------------------
# Settings, Elasticsearch and state for one run
# --------------------------------------------------------------------------------------------


def bench_settings(
    base: Settings, state_dir: Path, *, es_url: str, prefix: str, hook_url: str, secret: str
) -> Settings:
    """The shipped settings with a scratch state dir, the benchmark's cluster and prefix, and
    every notification channel a webhook of the same name to the local sink."""
    elasticsearch = base.elasticsearch.model_copy(
        update={"hosts": [AnyHttpUrl(es_url)], "index_prefix": prefix}
    )
    channels = [
        WebhookChannelSettings(
            name=channel.name,
            type="webhook",
            url=AnyHttpUrl(hook_url),
            secret=SecretStr(secret),
            enabled=channel.enabled,
            timeout_seconds=channel.timeout_seconds,
        )
        for channel in base.notifications
    ]
    return base.model_copy(
        update={"state_dir": state_dir, "elasticsearch": elasticsearch, "notifications": channels}
    )


def reset_indices(client: Elasticsearch, settings: Settings) -> None:
    prefix = settings.elasticsearch.index_prefix
    delete_indices(client, prefix)
    wiring.install_index_templates(settings, client)
    client.cluster.health(index=f"{prefix}-*", wait_for_status="green", timeout="60s")


@dataclass
class Run:
    """One pipeline with its sink, notifier and state, on fresh indices."""

    settings: Settings
    sink: TimingSink
    server: StandinServer
    pipeline: Pipeline
    outbox: Outbox
    clock: StageClock
    notifier: Notifier
    totals: PipelineTotals = field(default_factory=PipelineTotals)
    batch_seconds: float = 0.0
    batches: int = 0

    def step(self, batch_size: int) -> int:
        """One overlapped step as ``kikimimi run`` takes it; non-zero while work remains."""
        started = time.perf_counter()
        report = self.pipeline.step(batch_size)
        if report is None:
            raise SystemExit("Elasticsearch failed during the benchmark")
        if report.mentions:
            self.batch_seconds += time.perf_counter() - started
            self.batches += 1
            self.totals.add(report)
        return report.mentions or self.pipeline.queue.depth()

    def wait_delivered(self) -> None:
        """Until the outbox holds no pending notice (or give up loudly)."""
        deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
        while self.outbox.counts().pending:
            if time.monotonic() > deadline:
                raise SystemExit(f"notices still pending after {DRAIN_TIMEOUT_SECONDS:.0f} s")
            time.sleep(0.01)

    def close(self) -> None:
        if self.notifier.is_alive():
            self.notifier.finish()
        self.server.stop()
        self.outbox.close()
        cast(SqliteMentionQueue, self.pipeline.queue).close()


@contextmanager
def pipeline_run(
    base: Settings,
    client: Elasticsearch,
    analyzer: Analyzer,
    scratch: Path,
    args: argparse.Namespace,
    *,
    poll_seconds: float,
    wake: bool = False,
) -> Iterator[Run]:
    secret = secrets.token_hex(16)
    sink = TimingSink(WebhookSink(secret, path=HOOK_PATH))
    server = StandinServer(sink).start()
    try:
        settings = bench_settings(
            base,
            scratch,
            es_url=args.es_url,
            prefix=args.prefix,
            hook_url=server.url + HOOK_PATH,
            secret=secret,
        )
        reset_indices(client, settings)
        clock = StageClock()
        event = threading.Event() if wake else None
        pipeline = wiring.pipeline(settings, client, analyzer=analyzer)
        outbox = instrument(pipeline, clock, event)
    except BaseException:
        server.stop()
        raise
    notifier = Notifier(settings, threading.Event(), poll_seconds, event)
    run = Run(settings, sink, server, pipeline, outbox, clock, notifier)
    try:
        yield run
    finally:
        run.close()


def check_run(run: Run, client: Elasticsearch, mentions: int) -> None:
    """Every mention indexed, every notice delivered once and nothing rejected."""
    names = wiring.index_names(run.settings)
    client.indices.refresh(index=names.mentions_alias)
    found = int(client.count(index=names.mentions_alias)["count"])
    counts = run.outbox.counts()
    problems = []
    if found != mentions:
        problems.append(f"{found} documents in {names.mentions_alias}, expected {mentions}")
    if counts.pending or counts.failed:
        problems.append(f"outbox has {counts.pending} pending and {counts.failed} failed")
    if counts.delivered != len(run.sink.received):
        problems.append(f"outbox delivered {counts.delivered}, sink has {len(run.sink.received)}")
    if run.sink.sink.rejected:
        problems.append(f"the sink rejected {run.sink.sink.rejected[:3]}")
    if problems:
        raise SystemExit("; ".join(problems))


# --------------------------------------------------------------------------------------------
# 1. Throughput
# --------------------------------------------------------------------------------------------


def chunks(mentions: Sequence[Mention], size: int) -> Iterator[Sequence[Mention]]:
    for start in range(0, len(mentions), size):
        yield mentions[start : start + size]


def time_nlp(analyzer: Analyzer, mentions: Sequence[Mention], batch_size: int) -> float:
    """Seconds of ``Analyzer.analyze`` over ``mentions`` in batches of ``batch_size``."""
    started = time.perf_counter()
    for batch in chunks(mentions, batch_size):
        analyzer.analyze(batch)
    return time.perf_counter() - started


def throughput(
    base: Settings,
    client: Elasticsearch,
    analyzer: Analyzer,
    scratch: Path,
    args: argparse.Namespace,
) -> float:
    """Run part 1 and print it; returns the ratio end-to-end/NLP."""
    mentions = generate_mentions(args.count, args.seed)
    _log(f"NLP bound: Analyzer.analyze over {args.count:,} mentions, batches of {args.batch_size}")
    nlp_seconds = time_nlp(analyzer, mentions, args.batch_size)
    count: int = args.count
    nlp_rate = count / nlp_seconds
    _log(f"NLP bound: {nlp_rate:,.1f} posts/s")

    with pipeline_run(
        base, client, analyzer, scratch, args, poll_seconds=MAIN_JOB_POLL_SECONDS, wake=True
    ) as run:
        queue = SqliteMentionQueue(queue_path(run.settings))
        started = time.perf_counter()
        for batch in chunks(mentions, 1000):
            queue.put(batch)
        put_seconds = time.perf_counter() - started
        queue.close()
        _log(f"queued {args.count:,} mentions in {put_seconds:.2f} s; running the pipeline")

        run.notifier.start()
        started = time.perf_counter()
        last_report = started
        while run.step(args.batch_size):
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                _log(
                    f"  {run.totals.mentions:,} mentions, {run.notifier.delivered:,} notices "
                    f"delivered, {run.totals.mentions / (last_report - started):,.1f}/s"
                )
        processed = time.perf_counter() - started
        run.wait_delivered()
        wall = time.perf_counter() - started
        run.notifier.finish()
        check_run(run, client, args.count)
        _log(f"pipeline done in {processed:.1f} s, last notice delivered at {wall:.1f} s")

        rate = count / wall
        ratio = rate / nlp_rate
        totals, clock, notifier = run.totals, run.clock, run.notifier
        print(f"== 1. Throughput: {args.count:,} mentions, step({args.batch_size}) ==")
        print(
            f"queue put (not timed below): {put_seconds:.2f} s "
            f"({args.count / put_seconds:,.0f} mentions/s)"
        )
        print(
            f"end to end: {rate:,.1f} mentions/s ({wall:.1f} s from the first claim until the "
            f"queue was empty and the last notice delivered; pipeline done at {processed:.1f} s)"
        )
        print(
            f"NLP bound: {nlp_rate:,.1f} posts/s (Analyzer.analyze alone, same mentions, "
            f"batches of {args.batch_size}, models loaded, after a warm-up)"
        )
        print(f"end-to-end/NLP: {ratio:.2f} (goal >= 0.80)")
        print(
            f"cases opened {totals.cases_opened:,}, updated {totals.cases_updated:,}; notices "
            f"{totals.notices:,} enqueued, {len(run.sink.received):,} delivered to the sink"
        )
        print("time per stage in step (pipeline and its I/O worker, overlapping):")
        staged = sum(clock.seconds[stage] for stage in STAGES)
        rows = [(stage, clock.seconds[stage], clock.calls[stage]) for stage in STAGES]
        rows.append(("other (claim/ack, notices)", run.batch_seconds - staged, run.batches))
        for stage, seconds, calls in rows:
            print(
                f"  {stage:<27} {seconds:8.2f} s {seconds / wall:6.1%} of wall  "
                f"{1000 * seconds / args.count:6.2f} ms/mention  {calls:>7,} calls"
                f"  {1000 * seconds / max(calls, 1):7.3f} ms/call"
            )
        print(
            f"  {'step total':<27} {run.batch_seconds:8.2f} s "
            f"{run.batch_seconds / wall:6.1%} of wall  ({run.batches} batches)"
        )
        if clock.seconds["analyze"]:
            in_pipeline = args.count / clock.seconds["analyze"]
            print(
                f"  analyze inside the pipeline: {in_pipeline:,.1f} posts/s "
                f"({in_pipeline / nlp_rate:.2f} of the bound)"
            )
        print(
            f"notifier thread (concurrent, as kikimimi run: woken by new notices, else every "
            f"{MAIN_JOB_POLL_SECONDS:.0f} s): {notifier.passes} passes, busy "
            f"{notifier.busy_seconds:.1f} s, {notifier.delivered:,} delivered "
            f"({1000 * notifier.busy_seconds / max(notifier.delivered, 1):.1f} ms/notice), "
            f"at most {DELIVER_LIMIT} per pass"
        )
        print()
    return ratio


# --------------------------------------------------------------------------------------------
# 2. Latency at a steady rate
# --------------------------------------------------------------------------------------------


class Producer(threading.Thread):
    """Puts mentions into the queue at a steady rate, noting when each was put."""

    def __init__(self, path: Path, mentions: Sequence[Mention], rate: float) -> None:
        super().__init__(name="bench-producer", daemon=True)
        self.path = path
        self.mentions = mentions
        self.rate = rate
        self.put_at: dict[str, float] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        queue = SqliteMentionQueue(self.path)
        try:
            started = time.monotonic()
            sent = 0
            while sent < len(self.mentions):
                due = min(len(self.mentions), int((time.monotonic() - started) * self.rate) + 1)
                if due > sent:
                    batch = self.mentions[sent:due]
                    at = time.time()
                    self.put_at.update((m.id, at) for m in batch)
                    queue.put(batch)
                    sent = due
                pause = started + sent / self.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
        except BaseException as exc:
            self.error = exc
        finally:
            queue.close()


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _spread(values: Sequence[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {percentile(values, 0.5):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
        f"max {max(values):.2f} s"
    )


def latency(
    base: Settings,
    client: Elasticsearch,
    analyzer: Analyzer,
    scratch: Path,
    args: argparse.Namespace,
    *,
    mode: str,
) -> None:
    """Run part 2 for one notifier mode and print it."""
    poll = args.fast_poll if mode == "poll" else MAIN_JOB_POLL_SECONDS
    count = max(1, round(args.rate * args.seconds))
    mentions = generate_mentions(count, args.seed + 1)
    with pipeline_run(
        base, client, analyzer, scratch, args, poll_seconds=poll, wake=mode == "wake"
    ) as run:
        producer = Producer(queue_path(run.settings), mentions, args.rate)
        _log(f"latency [{mode}]: {count:,} mentions at {args.rate:g}/s")
        run.notifier.start()
        started = time.perf_counter()
        producer.start()
        backlog = 0  # the most mentions waiting when a batch was about to be claimed
        while True:
            producing = producer.is_alive()  # read first: False means every put is done
            depth = run.pipeline.queue.depth()
            if not producing and not depth:
                break
            backlog = max(backlog, depth)
            if not run.step(args.batch_size):
                time.sleep(IDLE_SECONDS)  # as main_job when the queue is empty
        producer.join()
        if producer.error is not None:
            raise SystemExit(f"producer failed: {producer.error!r}")
        run.wait_delivered()
        wall = time.perf_counter() - started
        run.notifier.finish()
        check_run(run, client, count)

        enqueued = {entry.key: entry.enqueued_at for entry in run.outbox.delivered(limit=10**7)}
        total: list[float] = []
        in_pipeline: list[float] = []
        in_outbox: list[float] = []
        for key, received in run.sink.received.items():
            if received.kind not in CASE_KINDS or received.mention_id is None:
                continue
            put = producer.put_at[received.mention_id]
            total.append(received.at - put)
            if key in enqueued:
                in_pipeline.append(enqueued[key] - put)
                in_outbox.append(received.at - enqueued[key])

    how = {
        "main_job": f"main_job cadence: a delivery pass, then a {MAIN_JOB_POLL_SECONDS:.0f} s wait",
        "poll": f"benchmark-only: a delivery pass, then a {args.fast_poll:g} s wait",
        "wake": "proposed: a pass as soon as notices are enqueued (1 s fallback)",
    }[mode]
    verdict = "meets" if total and percentile(total, 0.95) < 5.0 else "misses"
    print(f"-- notifier '{mode}' ({how}) --")
    print(
        f"case notices: {len(total):,} delivered; latency put -> sink: {_spread(total)} "
        f"({verdict} p95 < 5 s)"
    )
    print(f"  put -> outbox enqueue (pipeline): {_spread(in_pipeline)}")
    print(f"  outbox enqueue -> sink (notifier): {_spread(in_outbox)}")
    mean_batch = run.totals.mentions / max(run.batches, 1)
    print(
        f"  {run.totals.mentions:,} mentions in {wall:.1f} s, {run.batches} batches "
        f"(mean {mean_batch:.1f} mentions, {1000 * run.batch_seconds / max(run.batches, 1):.0f} "
        f"ms each), pipeline busy {run.batch_seconds / wall:.0%}, queue backlog up to "
        f"{backlog:,}; notifier {run.notifier.passes} passes, busy "
        f"{run.notifier.busy_seconds:.1f} s"
    )
    capacity = run.totals.mentions / max(run.batch_seconds, 1e-9)
    if capacity < args.rate:
        print(
            f"  the pipeline did not keep up: {capacity:,.1f} mentions/s while busy < "
            f"{args.rate:g}/s offered, so latency grows with --seconds"
        )


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None, configured_url: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pipeline_throughput",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="mentions, part 1")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="mentions/s, part 2")
    parser.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, help="producer duration per mode"
    )
    parser.add_argument(
        "--modes",
        default=DEFAULT_MODES,
        help=f"notifier modes for part 2, comma-separated from {', '.join(MODES)}",
    )
    parser.add_argument(
        "--fast-poll", type=float, default=DEFAULT_FAST_POLL, help="wait of the 'poll' mode"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=RunOptions().batch_size,
        help="batch size (main_job's default)",
    )
    parser.add_argument("--es-url", default=configured_url, help="Elasticsearch 8.x URL")
    parser.add_argument(
        "--prefix",
        default=f"kikimimi-bench-pipeline-{secrets.token_hex(3)}",
        help="index prefix; every index under it is deleted before and after",
    )
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="settings file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-latency", action="store_true", help="part 1 only")
    args = parser.parse_args(argv)
    args.modes = [m for m in args.modes.split(",") if m] if not args.skip_latency else []
    unknown = [m for m in args.modes if m not in MODES]
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(unknown)}")
    for name in ("count", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rate <= 0 or args.seconds <= 0 or args.fast_poll <= 0:
        parser.error("--rate, --seconds and --fast-poll must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    config_arg = argparse.ArgumentParser(add_help=False)
    config_arg.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    base = load_settings(config_arg.parse_known_args(argv)[0].config)
    args = parse_args(argv, str(base.elasticsearch.hosts[0]).rstrip("/"))
    client = make_client(base.elasticsearch.model_copy(update={"hosts": [AnyHttpUrl(args.es_url)]}))
    try:
        health = client.cluster.health()
    except (ApiError, TransportError) as exc:
        _log(f"cannot reach Elasticsearch at {args.es_url}: {exc} (try `kikimimi es start`)")
        return 2
    _log(f"cluster {health['cluster_name']} is {health['status']}; index prefix {args.prefix}")

    _log("loading the NLP models")
    analyzer = Analyzer(base, progress=_log)
    warmup = generate_mentions(WARMUP_BATCHES * args.batch_size, args.seed + 2)
    _log(f"warm-up: {len(warmup)} mentions through Analyzer.analyze (not timed)")
    time_nlp(analyzer, warmup, args.batch_size)

    try:
        with tempfile.TemporaryDirectory(prefix="kikimimi-bench-pipeline-") as scratch:
            ratio = throughput(base, client, analyzer, Path(scratch) / "throughput", args)
            if args.modes:
                print(
                    f"== 2. Latency: {args.rate:g} mentions/s for {args.seconds:g} s, case "
                    f"notices, put in the queue -> received by the sink (goal p95 < 5 s) =="
                )
            for mode in args.modes:
                latency(base, client, analyzer, Path(scratch) / f"latency-{mode}", args, mode=mode)
    finally:
        _log(f"deleting indices and templates under {args.prefix}")
        delete_indices(client, args.prefix)
        delete_templates(client, IndexNames(args.prefix))
        client.close()
    print(f"ratio end-to-end/nlp: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
