"""Scale-out: 1, 2 and 4 pipeline workers over the Redis queue, against a two-node cluster.

Each worker is a real ``kikimimi run --role pipeline`` process (its own interpreter, NLP
models and consumer name, as on a machine of its own), with its own state directory and a
configuration derived from ``--config``: ``queue.backend`` and ``outbox.backend`` ``redis``,
the benchmark's Redis and key prefix, the benchmark's Elasticsearch nodes with
``replicas: 1`` and a fresh index prefix per run, and every notification channel a webhook
of the same name to a local sink (nothing outside the machine is contacted).

Unless ``--redis-url`` / ``--es-url`` name servers, it starts Debian's ``redis-server``
(append-only, ``appendfsync everysec``) on a free port and a local two-node Elasticsearch
cluster (:class:`indexer.LocalCluster`, ``--heap`` each) in temporary folders, and stops
them at the end.

For every run (``--workers``, plus one worker over the SQLite queue: the same work with
``queue.backend: sqlite``, the outbox still in Redis, so only the queue differs):

1. the workers start on an empty queue; once each has loaded its models (its heartbeat is
   in Redis), an untimed warm-up of one batch per worker (at least two batches) goes
   through, so the models, the connections and Elasticsearch's JIT are warm;
2. the clock starts, ``--count`` synthetic mentions (:mod:`benchmarks.synthetic`) are put
   into the queue (200 per put, as a crawl's sink), and it stops when the queue is empty:
   every mention claimed, analysed, indexed, its case and notices stored, acknowledged. An
   idle worker looks for work every ``main_job.IDLE_SECONDS`` (0.5 s), inside the timing;
3. the CPU seconds the worker processes, Elasticsearch (``_nodes/stats``) and Redis
   (``INFO cpu``) spent in that time are read, then the workers get SIGTERM and report what
   each processed; every mention (warm-up included) must be in the index exactly once.

After the first one-worker run: where its shards spent their time (``_stats``); the index
size per mention from ``_cat/indices`` (after a flush and a merge to one segment; primaries
alone and with the replica); the cases and notices per mention; the Redis memory per notice
in the outbox (``MEMORY USAGE``), pending and, after one ``kikimimi run --role notifier``
process delivered them to the local webhook sink, delivered (kept
``alerting.keep_delivered_days``); and that notifier's rate, notices/s between the first and
the last arrival. ``--repeat`` runs every configuration that many times, taking turns; the
figures are medians.

Progress goes to stderr; the figures to stdout, the last line being the summary
``scale-out on N cores: 1 worker X mentions/s; 2 workers Y.YYx, 4 workers Z.ZZx (bound
min(workers, cores)); redis/sqlite queue (1 worker): R.RR``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from elasticsearch import Elasticsearch
from pydantic import AnyHttpUrl
from redis import Redis

from benchmarks.index_throughput import delete_indices, delete_templates
from benchmarks.queue_backends import local_redis
from benchmarks.synthetic import generate_mentions
from config import DEFAULT_CONFIG, LocalNodeSettings, Settings, load_settings, mention_queue
from core import IndexNames, Mention, MentionQueue, redis_client
from indexer import LocalCluster, make_client
from kikimimi import wiring
from kikimimi.workers import worker_registry
from standins import Reply, Request, StandinServer, WebhookSink

Backend = Literal["sqlite", "redis"]

DEFAULT_COUNT = 3_000
DEFAULT_WORKERS = "1,2,4"
DEFAULT_BATCH_SIZE = 256  # kikimimi run's default
DEFAULT_HEAP = "384m"  # per node, as the tests' cluster
DEFAULT_SEED = 20261201
CLUSTER_NODES = 2
PUT_BATCH = 200  # crawlers' sink
READY_TIMEOUT_SECONDS = 600.0
DRAIN_TIMEOUT_SECONDS = 1_800.0
STOP_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.02
PROGRESS_EVERY_SECONDS = 10.0
HOOK_PATH = "/hooks/kikimimi"
PROCESSED = re.compile(r"processed (\d+) mention")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _log(message: str) -> None:
    print(f"[scale-out] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Arguments and the summary line
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale_out",
        description="mentions/s of 1, 2 and 4 `kikimimi run --role pipeline` workers over the "
        "Redis queue against a two-node Elasticsearch cluster, and the SQLite queue's run.",
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="mentions per run")
    parser.add_argument(
        "--workers",
        default=DEFAULT_WORKERS,
        help="pipeline workers per run, comma-separated; 1 must be among them",
    )
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="per claim")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of every run, taking turns; medians"
    )
    parser.add_argument("--redis-url", help="an existing Redis, no credentials in the URL")
    parser.add_argument(
        "--es-url", help="an existing cluster: its nodes' URLs, comma-separated (no security)"
    )
    parser.add_argument("--heap", default=DEFAULT_HEAP, help="heap of each local node")
    parser.add_argument(
        "--prefix",
        default=f"kikimimi-bench-scale-{secrets.token_hex(3)}",
        help="index and Redis key prefix of the runs (each run adds its name)",
    )
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="settings file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the data")
    parser.add_argument("--skip-sqlite", action="store_true", help="no run over the SQLite queue")
    args = parser.parse_args(argv)
    try:
        args.workers = sorted({int(part) for part in args.workers.split(",") if part.strip()})
    except ValueError:
        parser.error(f"--workers: whole numbers, comma-separated, not {args.workers!r}")
    if 1 not in args.workers or min(args.workers) < 1:
        parser.error("--workers: positive numbers, 1 among them (the ratio's base)")
    for name in ("count", "batch_size", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not re.fullmatch(r"[0-9]+[mg]", args.heap):
        parser.error("--heap: a size such as 384m or 1g")
    args.es_urls = [u.strip().rstrip("/") for u in (args.es_url or "").split(",") if u.strip()]
    return args


def summary(cores: int, rates: dict[int, float], queue_ratio: float | None) -> str:
    """The last line: one worker's mentions/s, the others' ratio to it, the queues' ratio."""
    base = rates[1]
    ratios = ", ".join(f"{n} workers {rates[n] / base:.2f}x" for n in sorted(rates) if n != 1)
    line = f"scale-out on {cores} cores: 1 worker {base:,.1f} mentions/s"
    if ratios:
        line += f"; {ratios} (bound min(workers, cores))"
    if queue_ratio is not None:
        line += f"; redis/sqlite queue (1 worker): {queue_ratio:.2f}"
    return line


def cpu_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


# --------------------------------------------------------------------------------------------
# Servers: Redis, the Elasticsearch cluster, the webhook sink
# --------------------------------------------------------------------------------------------


def free_port_block(count: int, avoid: range = range(0)) -> int:
    """The first of ``count`` consecutive free ports on 127.0.0.1, none in ``avoid``."""
    for _ in range(50):
        with ExitStack() as stack:
            first = _bound(stack, 0)
            try:
                for port in range(first + 1, first + count):
                    _bound(stack, port)
            except OSError:
                continue
        if not set(range(first, first + count)) & set(avoid):
            return first
    raise SystemExit(f"no {count} consecutive free ports found")


def _bound(stack: ExitStack, port: int) -> int:
    sock = stack.enter_context(socket.socket())
    sock.bind(("127.0.0.1", port))
    return int(sock.getsockname()[1])


@contextmanager
def local_cluster(heap: str) -> Iterator[list[str]]:
    """A two-node local cluster (node 1 master-eligible, node 2 data only) in a temporary
    folder, on free ports; yields its URLs."""
    http = free_port_block(CLUSTER_NODES)
    transport = free_port_block(CLUSTER_NODES, avoid=range(http, http + CLUSTER_NODES))
    settings = LocalNodeSettings(
        port=http, transport_port=transport, nodes=CLUSTER_NODES, heap=heap
    )
    directory = Path(tempfile.mkdtemp(prefix="kikimimi-bench-cluster-"))
    directory.chmod(0o755)  # the nodes run as an unprivileged user when this runs as root
    cluster = LocalCluster(settings, directory, progress=_log)
    try:
        _log(f"starting a {CLUSTER_NODES}-node Elasticsearch cluster (heap {heap} each)")
        started = time.monotonic()
        cluster.start()
        _log(f"cluster up in {time.monotonic() - started:.0f} s: {', '.join(cluster.urls)}")
        yield cluster.urls
    finally:
        _log("stopping the cluster")
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


class ArrivalSink:
    """A :class:`WebhookSink` that also notes when each notice key first arrived."""

    def __init__(self) -> None:
        self.sink = WebhookSink(path=HOOK_PATH)
        self.arrived: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        at = time.monotonic()
        reply = self.sink(request)
        if reply.status == 200:
            with self._lock:
                self.arrived.setdefault(json.loads(request.body)["key"], at)
        return reply


# --------------------------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------------------------


@dataclass
class Deployment:
    """Where a run's processes find Redis, Elasticsearch and the webhook sink."""

    base: dict[str, Any]
    redis_url: str
    es_urls: list[str]
    hook_url: str

    def config(self, directory: Path, *, queue: Backend, prefix: str) -> Path:
        """A configuration file for one process (its own state directory) in ``directory``."""
        data = dict(self.base)
        elasticsearch = dict(data.get("elasticsearch") or {})
        elasticsearch.update(hosts=self.es_urls, index_prefix=prefix, replicas=1)
        redis = dict(data.get("redis") or {})
        redis.update(url=self.redis_url, key_prefix=prefix)
        channels = [
            {"name": channel["name"], "type": "webhook", "url": self.hook_url}
            for channel in data.get("notifications") or []
        ]
        data.update(
            state_dir=str(directory / "state"),
            queue={**(data.get("queue") or {}), "backend": queue},
            outbox={**(data.get("outbox") or {}), "backend": "redis"},
            redis=redis,
            elasticsearch=elasticsearch,
            notifications=channels,
        )
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "kikimimi.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path


@dataclass
class Process:
    """One ``kikimimi run --role ROLE`` process, its output in files."""

    popen: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    @classmethod
    def start(cls, config: Path, role: str, *extra: str) -> Process:
        folder = config.parent
        command = [sys.executable, "-m", "kikimimi", "--config", str(config), "run"]
        with (folder / "stdout").open("wb") as out, (folder / "stderr").open("wb") as err:
            popen = subprocess.Popen(
                [*command, "--role", role, *extra], stdout=out, stderr=err, cwd=folder
            )
        return cls(popen, folder / "stdout", folder / "stderr")

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise SystemExit(
                f"`kikimimi run` (pid {self.popen.pid}) exited with {self.popen.returncode}: "
                f"{self.stderr.read_text(errors='replace')[-2000:]}"
            )

    def cpu_seconds(self) -> float:
        """User and system CPU of the process so far (every thread)."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def peak_rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self) -> str:
        """SIGTERM (the graceful stop), wait; its stdout."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        return self.stdout.read_text(errors="replace")


# --------------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds used so far by the workers, Elasticsearch's nodes and Redis."""

    workers: float
    elasticsearch: float
    redis: float

    @property
    def total(self) -> float:
        return self.workers + self.elasticsearch + self.redis

    def __sub__(self, other: CpuUse) -> CpuUse:
        return CpuUse(
            self.workers - other.workers,
            self.elasticsearch - other.elasticsearch,
            self.redis - other.redis,
        )


@dataclass
class RunResult:
    """What one run measured."""

    name: str
    backend: Backend
    workers: int
    count: int
    warmup: int
    seconds: float
    cpu: CpuUse
    processed: list[int]
    peak_rss: list[int]
    load_before: float
    settings: Settings
    notices: int = 0
    cases: int = 0
    storage: dict[str, int] = field(default_factory=dict)
    es_ms: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def indexed(self) -> int:
        """Every mention of the run: the timed ones and the warm-up."""
        return self.count + self.warmup

    @property
    def label(self) -> str:
        return f"{self.backend} queue, {self.workers} worker{'s' if self.workers > 1 else ''}"


def cpu_use(workers: Sequence[Process], client: Elasticsearch, redis: Redis) -> CpuUse:
    nodes = client.nodes.stats(metric="process")["nodes"].values()
    info = redis.info("cpu")
    return CpuUse(
        workers=sum(w.cpu_seconds() for w in workers),
        elasticsearch=sum(n["process"]["cpu"]["total_in_millis"] for n in nodes) / 1000,
        redis=float(info["used_cpu_user"]) + float(info["used_cpu_sys"]),
    )


def wait_until_ready(
    workers: Sequence[Process], settings: Settings, queue: MentionQueue, warmup: list[Mention]
) -> None:
    """Until every worker has loaded its models (heartbeat in Redis, for the Redis queue) and
    the warm-up mentions went through."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    if settings.queue.backend == "redis":
        registry = worker_registry(settings)
        while sum(beat.role == "pipeline" for beat in registry.alive()) < len(workers):
            _wait_a_moment(workers, deadline, "workers to load their models")
        registry.client.close()
    queue.put(warmup)
    while queue.depth():
        _wait_a_moment(workers, deadline, "the warm-up mentions")


def _wait_a_moment(workers: Sequence[Process], deadline: float, what: str) -> None:
    for worker in workers:
        worker.check_alive()
    if time.monotonic() > deadline:
        raise SystemExit(f"gave up waiting for {what}")
    time.sleep(0.2)


def run_once(
    deployment: Deployment,
    scratch: Path,
    args: argparse.Namespace,
    client: Elasticsearch,
    redis: Redis,
    *,
    backend: Backend,
    workers: int,
    round_: int,
) -> RunResult:
    """Start ``workers`` pipeline processes, put ``--count`` mentions, time them through."""
    name = f"{backend}-{workers}-{round_}"
    prefix = f"{args.prefix}-{name}"
    configs = [
        deployment.config(scratch / name / f"worker-{i}", queue=backend, prefix=prefix)
        for i in range(1, workers + 1)
    ]
    settings = load_settings(configs[0])
    warmup = max(workers, 2) * args.batch_size
    mentions = generate_mentions(args.count + warmup, args.seed)
    timed = mentions[: args.count]
    load_before = os.getloadavg()[0]
    _log(f"run {name}: starting {workers} worker(s) (load average {load_before:.1f})")
    processes: list[Process] = []
    queue = mention_queue(settings)
    try:
        for config in configs:
            processes.append(
                Process.start(config, "pipeline", "--batch-size", str(args.batch_size))
            )
        wait_until_ready(processes, settings, queue, mentions[args.count :])
        _log(f"run {name}: workers ready; putting {args.count:,} mentions")
        before = cpu_use(processes, client, redis)
        started = time.monotonic()
        for start in range(0, len(timed), PUT_BATCH):
            queue.put(timed[start : start + PUT_BATCH])
        last_report = time.monotonic()
        while depth := queue.depth():
            now = time.monotonic()
            if now - started > DRAIN_TIMEOUT_SECONDS:
                raise SystemExit(f"run {name}: {depth:,} mentions still queued")
            if now - last_report > PROGRESS_EVERY_SECONDS:
                last_report = now
                done = args.count - depth
                _log(f"  {done:,} done, {done / (now - started):,.1f}/s")
            for process in processes:
                process.check_alive()
            time.sleep(POLL_SECONDS)
        seconds = time.monotonic() - started
        cpu = cpu_use(processes, client, redis) - before
        peak_rss = [p.peak_rss_bytes() for p in processes]
    finally:
        outputs = [p.stop() for p in processes]
        queue.close()
    processed = [int(m.group(1)) if (m := PROCESSED.search(o)) else -1 for o in outputs]
    result = RunResult(
        name,
        backend,
        workers,
        args.count,
        warmup,
        seconds,
        cpu,
        processed,
        peak_rss,
        load_before,
        settings,
    )
    _log(
        f"run {name}: {args.count:,} mentions in {seconds:.1f} s = {result.rate:,.1f}/s; CPU "
        f"ms/mention workers {1000 * cpu.workers / args.count:.2f}, Elasticsearch "
        f"{1000 * cpu.elasticsearch / args.count:.2f}, Redis {1000 * cpu.redis / args.count:.3f}; "
        f"processed per worker {processed}"
    )
    check_and_measure(result, client, redis)
    return result


def check_and_measure(result: RunResult, client: Elasticsearch, redis: Redis) -> None:
    """Every mention indexed once, then the cases, notices and storage of the run."""
    names = wiring.index_names(result.settings)
    client.indices.refresh(index=f"{names.prefix}-*")
    expected = result.indexed
    found = int(client.count(index=names.mentions_alias)["count"])
    if found != expected or sum(result.processed) != expected:
        raise SystemExit(
            f"{found:,} documents in {names.mentions_alias} and {sum(result.processed):,} "
            f"processed, expected {expected:,}"
        )
    result.cases = int(client.count(index=names.cases_index)["count"])
    with wiring.outbox(result.settings) as outbox:
        result.notices = outbox.counts().pending
    result.es_ms = elasticsearch_time(client, names)
    result.storage = storage(client, names) | {
        "redis_bytes": redis_bytes(redis, result.settings.redis.key_prefix)
    }
    _log(
        f"  {result.storage['mention_pri'] / result.indexed:,.0f} bytes/mention in primaries, "
        f"{result.cases:,} cases, {result.notices:,} notices"
    )


ES_TIMES = {
    "index": ("indexing", "index_time_in_millis"),
    "get": ("get", "time_in_millis"),
    "search": ("search", "query_time_in_millis"),
    "fetch": ("search", "fetch_time_in_millis"),
    "refresh": ("refresh", "total_time_in_millis"),
    "merge": ("merges", "total_time_in_millis"),
    "flush": ("flush", "total_time_in_millis"),
}
"""Where the run's shards spent their time (``_stats``, every copy): name -> (section, field)."""


def elasticsearch_time(client: Elasticsearch, names: IndexNames) -> dict[str, int]:
    """Milliseconds the run's indices (primaries and replicas) spent on each kind of work."""
    total = client.indices.stats(index=f"{names.prefix}-*")["_all"]["total"]
    return {name: int(total[section][key]) for name, (section, key) in ES_TIMES.items()}


def storage(client: Elasticsearch, names: IndexNames) -> dict[str, int]:
    """Bytes on disk of the run's mentions and cases, merged to one segment per shard,
    primaries alone and with the replicas, from ``_cat/indices``."""
    pattern = f"{names.prefix}-*"
    client.indices.flush(index=pattern)
    client.indices.forcemerge(index=pattern, max_num_segments=1)
    client.indices.flush(index=pattern)
    client.indices.refresh(index=pattern)
    rows = cast(
        list[dict[str, str]], client.cat.indices(index=pattern, bytes="b", format="json").body
    )
    sizes = {"mention_pri": 0, "mention_all": 0, "case_pri": 0, "case_all": 0}
    for row in rows:
        kind = "mention" if str(row["index"]).startswith(f"{names.prefix}-mentions-") else "case"
        sizes[f"{kind}_pri"] += int(row["pri.store.size"])
        sizes[f"{kind}_all"] += int(row["store.size"])
    return sizes


def redis_bytes(redis: Redis, prefix: str) -> int:
    """What the run's keys take in Redis (``MEMORY USAGE``, every element counted)."""
    return sum(
        int(redis.memory_usage(key, samples=0) or 0)
        for key in redis.scan_iter(match=f"{prefix}:*", count=1000)
    )


@dataclass(frozen=True)
class NotifierResult:
    """Notices delivered, seconds from the first arrival at the sink to the last, and the
    bytes of the run's Redis keys afterwards (the delivered notices, kept)."""

    delivered: int
    seconds: float
    redis_bytes: int

    @property
    def rate(self) -> float:
        return (self.delivered - 1) / self.seconds if self.seconds > 0 else float("nan")


def measure_notifier(
    run: RunResult, sink: ArrivalSink, scratch: Path, redis: Redis
) -> NotifierResult:
    """One ``kikimimi run --role notifier --until-idle`` over the run's outbox."""
    config = scratch / run.name / "worker-1" / "kikimimi.yaml"
    notifier_config = scratch / "notifier" / "kikimimi.yaml"
    notifier_config.parent.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["state_dir"] = str(notifier_config.parent / "state")
    notifier_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    sink.arrived.clear()
    _log(f"notifier: delivering {run.notices:,} notices to the local webhook")
    process = Process.start(notifier_config, "notifier", "--until-idle")
    try:
        code = process.popen.wait(timeout=DRAIN_TIMEOUT_SECONDS)
    finally:
        process.stop()
    if code != 0 or len(sink.arrived) != run.notices:
        raise SystemExit(
            f"notifier exited with {code}, {len(sink.arrived):,} of {run.notices:,} notices "
            f"arrived: {process.stderr.read_text(errors='replace')[-2000:]}"
        )
    times = sorted(sink.arrived.values())
    return NotifierResult(
        len(times), times[-1] - times[0], redis_bytes(redis, run.settings.redis.key_prefix)
    )


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def report(
    results: Sequence[RunResult],
    cores: int,
    notifier: NotifierResult | None,
    args: argparse.Namespace,
) -> str:
    """Print every figure; returns the summary line."""
    runs: dict[tuple[Backend, int], list[RunResult]] = {}
    for result in results:
        runs.setdefault((result.backend, result.workers), []).append(result)
    rates = {key: statistics.median(r.rate for r in group) for key, group in runs.items()}
    base = runs["redis", 1][0]
    print(
        f"== Scale-out: {args.count:,} synthetic mentions per run, `kikimimi run --role "
        f"pipeline` workers, step({args.batch_size}), 2-node Elasticsearch (replicas 1) =="
    )
    print(
        f"machine: {cores} CPU cores shared by the workers, Elasticsearch, Redis and this "
        f"script, so the ratio to one worker is bounded by min(workers, {cores})"
    )
    print(
        f"{'run':<24}{'mentions/s':>11}{'ratio':>7}  {'CPU ms/mention: workers':>23}"
        f"{'ES':>6}{'Redis':>7}{'CPU bound':>11}{'RSS/worker':>12}  "
        f"runs (mentions/s, load average before)"
    )
    cpus: dict[tuple[Backend, int], CpuUse] = {}
    for (backend, workers), group in runs.items():
        ratio = f"{rates[backend, workers] / rates['redis', 1]:.2f}" if backend == "redis" else "-"
        cpu = cpus[backend, workers] = CpuUse(
            *(
                statistics.median(1000 * getattr(r.cpu, part) / r.count for r in group)
                for part in ("workers", "elasticsearch", "redis")
            )
        )
        each = ", ".join(f"{r.rate:,.1f} ({r.load_before:.1f})" for r in group)
        rss = statistics.mean(m for r in group for m in r.peak_rss) / 2**20
        print(
            f"{group[0].label:<24}{rates[backend, workers]:>11,.1f}{ratio:>7}  "
            f"{cpu.workers:>23.2f}{cpu.elasticsearch:>6.2f}{cpu.redis:>7.3f}"
            f"{1000 * cores / cpu.total:>9,.0f}/s{rss:>8,.0f} MiB  {each}"
        )
    print(
        "  medians over the runs; ratio: over the 1-worker Redis run; CPU ms/mention: of the "
        "worker processes, Elasticsearch's nodes and Redis while timed; CPU bound: the cores "
        "over their sum (the rate with the machine to itself); RSS: peak, mean"
    )
    queue_ratio = None
    if ("sqlite", 1) in rates:
        queue_ratio = rates["redis", 1] / rates["sqlite", 1]
        redis_cpu, sqlite_cpu = cpus["redis", 1].total, cpus["sqlite", 1].total
        print(
            f"queue overhead, 1 worker, same work: Redis {rates['redis', 1]:,.1f} / SQLite "
            f"{rates['sqlite', 1]:,.1f} mentions/s = {queue_ratio:.2f}; CPU per mention, all "
            f"processes: Redis {redis_cpu:.2f} / SQLite {sqlite_cpu:.2f} ms = "
            f"{redis_cpu / sqlite_cpu:.2f}"
        )
    spent = ", ".join(f"{name} {ms / base.indexed:.2f}" for name, ms in base.es_ms.items())
    print(
        f"Elasticsearch, ms per mention in the 1-worker run's shards (every copy, from "
        f"_stats; wall time of their threads, overlapping): {spent}"
    )
    sizes = base.storage
    print(
        f"index size: {sizes['mention_pri'] / base.indexed:,.0f} bytes/mention in "
        f"primaries, {sizes['mention_all'] / base.indexed:,.0f} with the replica "
        f"({base.indexed:,} mentions, merged to one segment)"
    )
    if base.cases:
        print(
            f"  cases: {base.cases:,} ({base.cases / base.indexed:.2f} per mention), "
            f"{sizes['case_pri'] / base.cases:,.0f} bytes/case in primaries"
        )
    notices = max(base.notices, 1)
    print(
        f"outbox: {base.notices:,} notices ({base.notices / base.indexed:.2f} per mention); "
        f"the run's Redis keys hold {sizes['redis_bytes'] / 2**20:,.1f} MiB "
        f"({sizes['redis_bytes'] / notices:,.0f} bytes per pending notice)"
    )
    if notifier is not None:
        print(
            f"notifier: one `kikimimi run --role notifier`, {notifier.delivered:,} notices to a "
            f"local webhook in {notifier.seconds:.1f} s = {notifier.rate:,.1f} notices/s "
            f"({1000 / notifier.rate:.1f} ms each); then Redis holds "
            f"{notifier.redis_bytes / notices:,.0f} bytes per delivered notice"
        )
    scale = {workers: rate for (backend, workers), rate in rates.items() if backend == "redis"}
    return summary(cores, scale, queue_ratio)


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def benchmark(
    args: argparse.Namespace, redis_url: str, es_urls: list[str], sink: ArrivalSink, hook: str
) -> str:
    base = yaml.safe_load(args.config.read_text(encoding="utf-8")) or {}
    deployment = Deployment(base, redis_url, es_urls, hook)
    settings = load_settings(args.config)
    client = make_client(
        settings.elasticsearch.model_copy(update={"hosts": [AnyHttpUrl(u) for u in es_urls]})
    )
    redis = redis_client(redis_url)
    plan: list[tuple[Backend, int]] = [("redis", 1)]
    if not args.skip_sqlite:
        plan.append(("sqlite", 1))
    plan += [("redis", n) for n in args.workers if n != 1]
    results: list[RunResult] = []
    notifier: NotifierResult | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="kikimimi-bench-scale-") as directory:
            scratch = Path(directory)
            for round_ in range(1, args.repeat + 1):
                for backend, workers in plan:
                    result = run_once(
                        deployment,
                        scratch,
                        args,
                        client,
                        redis,
                        backend=backend,
                        workers=workers,
                        round_=round_,
                    )
                    results.append(result)
                    if notifier is None and (backend, workers) == ("redis", 1) and result.notices:
                        notifier = measure_notifier(result, sink, scratch, redis)
                    _clean(client, redis, result.settings)
    finally:
        client.close()
        redis.close()
    return report(results, cpu_cores(), notifier, args)


def _clean(client: Elasticsearch, redis: Redis, settings: Settings) -> None:
    prefix = settings.elasticsearch.index_prefix
    delete_indices(client, prefix)
    delete_templates(client, IndexNames(prefix))
    keys = list(redis.scan_iter(match=f"{settings.redis.key_prefix}:*", count=1000))
    for start in range(0, len(keys), 500):
        redis.delete(*keys[start : start + 500])


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    _log(f"{cpu_cores()} CPU cores; prefix {args.prefix}")
    sink = ArrivalSink()
    with ExitStack() as stack:
        server = stack.enter_context(StandinServer(sink))
        redis_url = args.redis_url or stack.enter_context(local_redis("everysec"))
        es_urls = args.es_urls or stack.enter_context(local_cluster(args.heap))
        line = benchmark(args, redis_url, es_urls, sink, server.url + HOOK_PATH)
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
