"""The mention queue's own cost: the SQLite file against the Redis stream, on the same work.

``--count`` synthetic mentions (:mod:`benchmarks.synthetic`) go through each backend as in
production, one process, one thread: ``put`` in batches of ``--put-batch`` (a crawl's sink
flushes 200 at a time), then ``claim`` (``--batch-size``, the main job's default batch) and
``ack`` batch after batch until the queue is empty. Each run starts from an empty queue (a
new SQLite file; the Redis keys under ``--prefix`` deleted); the backends take turns,
``--repeat`` runs each, and every figure is the median.

Durability is alike on both sides: SQLite in WAL mode with ``synchronous=NORMAL`` (what the
product opens) and Redis with ``appendonly yes`` and ``appendfsync everysec``: both keep
every acknowledged write when the process is killed, and both may lose the last second or
so on a power cut. Unless ``--redis-url`` names a server, the benchmark starts Debian's
``redis-server`` on a free port in a temporary folder, so this is Redis on the same machine:
a network round trip to another machine adds to every Redis command.

Prints, per backend, put, claim+ack and put+claim+ack in mentions/s and, last,
``ratio redis/sqlite (put+claim+ack): X.XX``.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.synthetic import generate_mentions
from core import Mention, MentionQueue, RedisMentionQueue, SqliteMentionQueue, redis_client

DEFAULT_COUNT = 20_000
DEFAULT_PUT_BATCH = 200  # crawlers.sink.MentionSink's batch
DEFAULT_BATCH_SIZE = 256  # kikimimi.main_job.RunOptions.batch_size
DEFAULT_REPEAT = 3
DEFAULT_PREFIX = "kikimimi-bench"
DEFAULT_SEED = 7
LEASE_SECONDS = 300.0  # the pipeline's


@dataclass(frozen=True)
class Run:
    """One pass of ``count`` mentions through a queue."""

    count: int
    put_seconds: float
    drain_seconds: float

    @property
    def put_rate(self) -> float:
        return self.count / self.put_seconds

    @property
    def drain_rate(self) -> float:
        return self.count / self.drain_seconds

    @property
    def total_rate(self) -> float:
        return self.count / (self.put_seconds + self.drain_seconds)


def measure(queue: MentionQueue, mentions: Sequence[Mention], put_batch: int, batch: int) -> Run:
    """Put every mention, then claim and acknowledge them all; fails unless each came once."""
    started = time.perf_counter()
    for start in range(0, len(mentions), put_batch):
        queue.put(mentions[start : start + put_batch])
    put_done = time.perf_counter()
    seen = 0
    while claimed := queue.claim("bench", batch, LEASE_SECONDS):
        queue.ack([c.receipt for c in claimed])
        seen += len(claimed)
    drained = time.perf_counter()
    if seen != len(mentions) or queue.depth() != 0:
        raise SystemExit(f"{seen:,} mentions claimed of {len(mentions):,} put")
    return Run(len(mentions), put_done - started, drained - put_done)


@contextmanager
def local_redis(appendfsync: str) -> Iterator[str]:
    """Debian's redis-server on a free port of 127.0.0.1, append-only, in a temporary folder."""
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is missing: install Debian's redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="kikimimi-bench-redis-") as directory:
        options = {
            "port": str(port),
            "bind": "127.0.0.1",
            "dir": directory,
            "save": "",
            "appendonly": "yes",
            "appendfsync": appendfsync,
            "logfile": str(Path(directory) / "redis.log"),
        }
        arguments = [part for name, value in options.items() for part in (f"--{name}", value)]
        process = subprocess.Popen([server, *arguments], stdout=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = redis_client(url)
            deadline = time.monotonic() + 20
            while not _answers(client.ping):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"redis-server did not start on port {port}")
                time.sleep(0.05)
            client.close()
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def _answers(ping: Callable[[], object]) -> bool:
    try:
        ping()
    except Exception:
        return False
    return True


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.queue_backends",
        description="put, claim and ack N mentions through the SQLite and the Redis queue.",
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="mentions per run")
    parser.add_argument("--put-batch", type=int, default=DEFAULT_PUT_BATCH, help="per put")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="per claim")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="runs per backend")
    parser.add_argument("--redis-url", help="an existing Redis (default: start redis-server)")
    parser.add_argument(
        "--appendfsync",
        choices=("everysec", "always", "no"),
        default="everysec",
        help="the started redis-server's fsync policy",
    )
    parser.add_argument(
        "--prefix", default=DEFAULT_PREFIX, help="Redis key prefix; deleted before each run"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the data")
    args = parser.parse_args(argv)
    for name in ("count", "put_batch", "batch_size", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _summary(backend: str, runs: Sequence[Run]) -> str:
    put = statistics.median(r.put_rate for r in runs)
    drain = statistics.median(r.drain_rate for r in runs)
    total = statistics.median(r.total_rate for r in runs)
    return (
        f"{backend:<7} put {put:>9,.0f} mentions/s   claim+ack {drain:>9,.0f} mentions/s   "
        f"put+claim+ack {total:>9,.0f} mentions/s (median of {len(runs)} runs)"
    )


def benchmark(args: argparse.Namespace, redis_url: str) -> int:
    _log(f"generating {args.count:,} mentions (seed {args.seed})")
    mentions = generate_mentions(args.count, args.seed)
    _log(f"put {args.put_batch} per call, claim {args.batch_size} per call, {args.repeat} runs")
    runs: dict[str, list[Run]] = {"sqlite": [], "redis": []}
    with tempfile.TemporaryDirectory(prefix="kikimimi-bench-queue-") as directory:
        for repeat in range(1, args.repeat + 1):
            for backend, backend_runs in runs.items():
                queue: MentionQueue
                if backend == "sqlite":
                    queue = SqliteMentionQueue(Path(directory) / f"run-{repeat}.sqlite")
                else:
                    queue = RedisMentionQueue(redis_client(redis_url), args.prefix)
                    queue.client.delete(queue.stream, queue.dead_stream)
                try:
                    run = measure(queue, mentions, args.put_batch, args.batch_size)
                finally:
                    queue.close()
                backend_runs.append(run)
                _log(
                    f"run {repeat}/{args.repeat} {backend}: put {run.put_seconds:.2f} s, "
                    f"claim+ack {run.drain_seconds:.2f} s = {run.total_rate:,.0f} mentions/s"
                )
    cleanup = redis_client(redis_url)
    cleanup.delete(f"{args.prefix}:mentions", f"{args.prefix}:mentions:dead")
    cleanup.close()
    for backend, backend_runs in runs.items():
        print(_summary(backend, backend_runs))
    ratio = statistics.median(r.total_rate for r in runs["redis"]) / statistics.median(
        r.total_rate for r in runs["sqlite"]
    )
    print(f"ratio redis/sqlite (put+claim+ack): {ratio:.2f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.redis_url:
        return benchmark(args, args.redis_url)
    with local_redis(args.appendfsync) as url:
        return benchmark(args, url)


if __name__ == "__main__":
    sys.exit(main())
