"""``kikimimi run --role ...`` as separate processes sharing one Redis (queue and outbox): a
scheduler, two pipelines and a notifier give the same result as ``kikimimi run`` alone on
the same input (indexed mentions, cases with their mention ids, delivered notice keys), and
so they do when one pipeline is killed (``kill -9``) in the middle of a batch: another
claims its entries at once. ``kikimimi run`` alone over Redis gives what it gives over
SQLite.

Two pipelines that each take a post of one author at the same moment still make one case:
the case store finds an author's open case through a pointer read by id (in real time) and
claimed atomically, so the second joins the case the first opened."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from benchmarks.synthetic import generate_mentions
from config import load_settings, mention_queue
from core.redis_mention_queue import RedisMentionQueue
from kikimimi import wiring
from kikimimi.workers import worker_registry
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import (
    Job,
    WebhookSink,
    _environment,
    _indexed_so_far,
    cases,
    wait_for,
)
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.elasticsearch, pytest.mark.redis, pytest.mark.slow]

MENTIONS = 400
WORKER_TIMEOUT_SECONDS = 3.0

Outcome = tuple[int, set[str], set[str]]


@dataclass(frozen=True)
class Load:
    """The export file every run crawls, and the webhook its notices go to."""

    imports: Path
    hook_url: str


@pytest.fixture(scope="module")
def load(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Load]:
    imports = tmp_path_factory.mktemp("load") / "export.jsonl"
    mentions = generate_mentions(MENTIONS, seed=14)
    imports.write_text("".join(m.model_dump_json() + "\n" for m in mentions), encoding="utf-8")
    with StandinServer(WebhookSink()) as hook:
        yield Load(imports, f"{hook.url}/hook")


def assert_as_alone(got: Outcome, alone: Outcome) -> None:
    """The same mentions indexed, the same cases with the same mentions, and the same
    delivered notice keys, a case known by its mentions: its id is derived from the post
    that opened it, and which of one author's posts two pipelines reach first is not the
    single run's order."""
    got, alone = by_mentions(got), by_mentions(alone)
    assert got[0] == alone[0]
    assert got[1] == alone[1], got[1] ^ alone[1]
    assert got[2] == alone[2], got[2] ^ alone[2]


def by_mentions(result: Outcome) -> Outcome:
    """``result`` with each case id, in the case rows and the notice keys, replaced by the
    case's mention ids."""
    named = dict(row.split(":", 1) for row in result[1])
    keys = {":".join(named.get(part, part) for part in key.split(":")) for key in result[2]}
    return result[0], set(named.values()), keys


def outcome(es: Elasticsearch, job: Job) -> Outcome:
    """(mentions indexed, case ids with their mention ids, delivered notice keys), the
    outbox drained, read from the outbox the job's configuration chooses."""
    es.indices.refresh(index=f"{job.names.prefix}-*")
    indexed = es.count(index=job.names.mentions_alias)["count"]
    case_rows = {f"{c.id}:{','.join(sorted(c.mention_ids))}" for c in cases(es, job.names)}
    outbox = wiring.outbox(load_settings(job.config))
    try:
        keys = {entry.key for entry in outbox.delivered(limit=1_000_000)}
        counts = outbox.counts()
        assert counts.pending == 0 and counts.failed == 0
    finally:
        outbox.close()
    return indexed, case_rows, keys


def drop_indices(es: Elasticsearch, prefix: str) -> None:
    indices = list(es.indices.get(index=f"{prefix}-*", expand_wildcards="all"))
    if indices:
        es.indices.delete(index=",".join(indices))


@pytest.fixture(scope="module")
def alone(
    load: Load, tmp_path_factory: pytest.TempPathFactory, elasticsearch_node: RunningElasticsearch
) -> Iterator[Outcome]:
    """What ``kikimimi run`` alone (all roles, SQLite queue and outbox) makes of the load."""
    prefix = f"kkroles-{os.getpid()}-alone"
    root = tmp_path_factory.mktemp("alone")
    job = _environment(root, elasticsearch_node.url, prefix, load.hook_url, load.imports)
    es = elasticsearch_node.client()
    try:
        job.run("crawl", "imp")
        started = time.monotonic()
        job.run("run", "--no-schedule", "--until-idle")
        print(f"kikimimi run alone: {time.monotonic() - started:.1f} s")
        result = outcome(es, job)
        assert result[0] == MENTIONS and result[1], "the load is indexed and opens cases"
        yield result
    finally:
        drop_indices(es, prefix)
        es.close()


@dataclass
class Deployment:
    """Role processes of one configuration, each with its log."""

    job: Job
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.job.root / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(self.job.command("run", *args), stdout=log, stderr=log)
        self.processes[name] = process
        return process

    def said(self, name: str) -> str:
        return (self.job.root / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def queue_depth(self) -> int:
        queue = mention_queue(load_settings(self.job.config))
        try:
            return queue.depth()
        finally:
            queue.close()

    def holds_a_batch(self, name: str) -> bool:
        """Whether process ``name`` has claimed mentions it has not finished (its consumer
        is ``<host>-<pid>-<random>``)."""
        queue = mention_queue(load_settings(self.job.config))
        assert isinstance(queue, RedisMentionQueue)
        pid = str(self.processes[name].pid)
        try:
            return any(c.pending and c.name.split("-")[-2] == pid for c in queue.group().consumers)
        finally:
            queue.close()

    def notices_pending(self) -> int:
        outbox = wiring.outbox(load_settings(self.job.config))
        try:
            return outbox.counts().pending
        finally:
            outbox.close()

    def stop(self) -> None:
        """SIGTERM to all, as an operator stops them; each must end cleanly."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            code = process.wait(timeout=120)
            assert code in {0, -signal.SIGKILL}, f"{name} exited {code}: {self.said(name)[-2000:]}"


@pytest.fixture
def deployment(
    tmp_path: Path,
    load: Load,
    elasticsearch_node: RunningElasticsearch,
    redis_server: RedisServer,
    redis_prefix: str,
) -> Iterator[Deployment]:
    """A configuration for role processes: the Redis queue and outbox of the session's
    Redis, the load crawled every two seconds, a short worker timeout."""
    prefix = f"kkroles-{redis_prefix}"
    job = _environment(
        tmp_path,
        elasticsearch_node.url,
        prefix,
        load.hook_url,
        load.imports,
        extra={
            "sources": [
                {"name": "imp", "type": "import", "path": str(load.imports), "interval_seconds": 2}
            ],
            "queue": {"backend": "redis", "worker_timeout_seconds": WORKER_TIMEOUT_SECONDS},
            "outbox": {"backend": "redis"},
            "redis": {"url": redis_server.url, "key_prefix": redis_prefix},
            "scheduler": {"lease_seconds": 3},
        },
    )
    chosen = Deployment(job)
    try:
        yield chosen
    finally:
        for process in chosen.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        es = elasticsearch_node.client()
        drop_indices(es, prefix)
        es.close()


def test_all_roles_in_one_process_over_redis_give_what_they_give_over_sqlite(
    deployment: Deployment, alone: Outcome, es: Elasticsearch, redis_server: RedisServer
) -> None:
    job = deployment.job
    job.run("crawl", "imp")
    job.run("run", "--no-schedule", "--until-idle")
    assert outcome(es, job) == alone
    settings = load_settings(job.config)
    queue, registry = mention_queue(settings), worker_registry(settings)
    try:
        assert isinstance(queue, RedisMentionQueue)
        assert queue.group().consumers == () and registry.alive() == []
        leader = f"{settings.redis.key_prefix}:scheduler:leader"
        assert registry.client.exists(leader) == 0, "the leader gave its lease back"
    finally:
        queue.close()
        registry.client.close()


def start_roles(deployment: Deployment) -> None:
    """A notifier, two pipelines (small batches, so a kill lands in the middle of one) and
    the scheduler, which crawls the load."""
    deployment.start("notifier", "--role", "notifier")
    deployment.start("pipeline-1", "--role", "pipeline", "--batch-size", "16")
    deployment.start("pipeline-2", "--role", "pipeline", "--batch-size", "16")
    deployment.start("scheduler", "--role", "scheduler")


def finish(deployment: Deployment, es: Elasticsearch) -> None:
    """Wait until the load is indexed, the queue drained and the outbox delivered; stop."""
    names = deployment.job.names
    wait_for(lambda: _indexed_so_far(es, names) >= MENTIONS, timeout=600)
    wait_for(lambda: deployment.queue_depth() == 0, timeout=60)
    wait_for(lambda: deployment.notices_pending() == 0, timeout=60)
    deployment.stop()
    settings = load_settings(deployment.job.config)
    queue, registry = mention_queue(settings), worker_registry(settings)
    try:
        assert isinstance(queue, RedisMentionQueue)
        assert queue.group().consumers == (), "each pipeline left the group, holding nothing"
        assert registry.alive() == [], "each process left the heartbeats"
    finally:
        queue.close()
        registry.client.close()


def test_scheduler_two_pipelines_and_a_notifier_give_what_run_alone_gives(
    deployment: Deployment, alone: Outcome, es: Elasticsearch
) -> None:
    started = time.monotonic()
    start_roles(deployment)
    finish(deployment, es)
    print(f"four role processes: {time.monotonic() - started:.1f} s")

    assert "leading as scheduler" in deployment.said("scheduler")
    for name in ("pipeline-1", "pipeline-2"):
        said = deployment.said(name)
        assert "processed " in said and "processed 0 mention(s)" not in said, "both worked"
        assert "Traceback" not in said
    assert_as_alone(outcome(es, deployment.job), alone)


def test_a_pipeline_killed_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    deployment: Deployment, alone: Outcome, es: Elasticsearch
) -> None:
    start_roles(deployment)
    names = deployment.job.names
    wait_for(lambda: _indexed_so_far(es, names) >= MENTIONS // 4, timeout=600)
    pipeline = deployment.processes["pipeline-1"]
    pipeline.send_signal(signal.SIGSTOP)  # frozen; killed only while it holds a claimed batch
    while not deployment.holds_a_batch("pipeline-1"):
        pipeline.send_signal(signal.SIGCONT)
        time.sleep(0.05)
        pipeline.send_signal(signal.SIGSTOP)
    pipeline.kill()  # SIGKILL, holding a claimed batch
    killed = time.monotonic()
    assert _indexed_so_far(es, names) < MENTIONS, "killed in the middle of the load"
    given_back = "has no heartbeat"
    wait_for(lambda: given_back in deployment.said("pipeline-2"), timeout=60)
    print(f"its claims went to the other {time.monotonic() - killed:.1f} s after the kill")
    finish(deployment, es)
    assert_as_alone(outcome(es, deployment.job), alone)
