"""``kikimimi run`` against a real two-node cluster with ``replicas: 1``, a node SIGKILLed
in the middle of the run, made to hold every primary first.

Of two nodes only the first may be elected master (:mod:`indexer.localnode.cluster`).
Losing the second, data-only node, the run goes on against the first. Losing the first
stops every write until it is back (no master, no writes): the run waits, then completes.
Either way the mentions, cases and delivered notice keys equal a clean run's, each mention
is indexed exactly once, and once the node is back the cluster is green with every copy
complete."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from indexer import LocalNode, install_templates
from standins.server import StandinServer
from tests.elasticsearch_cluster import RunningCluster, remove_prefix
from tests.kikimimi.test_main_job import (
    Job,
    WebhookSink,
    _environment,
    _indexed_so_far,
    _outcome,
    wait_for,
)

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

MENTIONS = 600
SEED = 14
BATCH = "32"

Outcome = tuple[int, set[str], set[str]]


def cluster_job(cluster: RunningCluster, root: Path, hook_url: str) -> Job:
    """A job in ``root`` importing the same mentions into the cluster, both nodes in its
    hosts, under the index prefix ``kkcluster-<root's name>``."""
    root.mkdir()
    imports = root / "export.jsonl"
    mentions = generate_mentions(MENTIONS, seed=SEED)
    imports.write_text("".join(m.model_dump_json() + "\n" for m in mentions), "utf-8")
    prefix = f"kkcluster-{root.name}"
    return _environment(
        root,
        cluster.urls[0],
        prefix,
        hook_url,
        imports,
        extra={
            "elasticsearch": {"hosts": cluster.urls, "index_prefix": prefix, "replicas": 1},
            "indexer": {"initial_backoff_seconds": 0.2, "max_backoff_seconds": 5},
        },
    )


@dataclass
class Runs:
    """The cluster, the webhook the jobs notify, and a clean run's outcome to compare with."""

    cluster: RunningCluster
    es: Elasticsearch
    root: Path
    hook_url: str
    clean: Outcome
    clean_ids: set[str]

    def job(self, name: str) -> Job:
        return cluster_job(self.cluster, self.root / name, self.hook_url)


@pytest.fixture(scope="module")
def runs(
    elasticsearch_cluster: RunningCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runs]:
    """One clean run on the healthy cluster, shared by the module's tests."""
    es = elasticsearch_cluster.client()
    root = tmp_path_factory.mktemp("runs")
    with StandinServer(WebhookSink()) as hook:
        clean = cluster_job(elasticsearch_cluster, root / "clean", hook.url)
        try:
            clean.run("crawl", "imp")
            started = time.monotonic()
            clean.run("run", "--no-schedule", "--until-idle", "--batch-size", BATCH)
            print(f"clean run on two nodes: {time.monotonic() - started:.1f} s")
            outcome, ids = _outcome(es, clean), set(indexed_ids(es, clean.names))
            yield Runs(elasticsearch_cluster, es, root, hook.url, outcome, ids)
        finally:
            remove_prefix(es, clean.names)
            es.close()


def indexed_ids(es: Elasticsearch, names: IndexNames) -> list[str]:
    """The id of every mention document (repeats included)."""
    es.indices.refresh(index=names.mentions_alias)
    hits = es.search(index=names.mentions_alias, size=MENTIONS * 2, source=False)["hits"]
    return [hit["_id"] for hit in hits["hits"]]


def copies_on(url: str, names: IndexNames) -> int:
    """How many mentions the shard copies on the node at ``url`` hold."""
    with Elasticsearch(url, request_timeout=30) as node:
        node.indices.refresh(index=names.mentions_alias)
        return int(node.count(index=names.mentions_alias, preference="_only_local")["count"])


def run_and_kill(
    runs: Runs, job: Job, victim: LocalNode, while_down: Callable[[], None] | None = None
) -> None:
    """Run ``job`` to idle, SIGKILL ``victim`` (holding every primary) once a third is
    indexed, and bring it back after the run (which the other node completes alone), or
    during it once ``while_down`` returns; wait for green."""
    cluster, es = runs.cluster, runs.es
    job.run("crawl", "imp")
    install_templates(es, job.names, replicas=1)
    mentions = generate_mentions(MENTIONS, seed=SEED)
    for index in {job.names.mention_index(m.published_at) for m in mentions}:
        es.indices.create(index=index)
    cluster.put_primaries_on(victim, f"{job.names.prefix}-*")
    log = job.root / "run.log"
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            job.command("run", "--no-schedule", "--until-idle", "--batch-size", BATCH),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        started = time.monotonic()
        wait_for(lambda: _indexed_so_far(es, job.names) >= MENTIONS // 3, 300)
        indexed = _indexed_so_far(es, job.names)
        assert process.poll() is None, "the node dies before the run ends"
        cluster.kill(victim)
        print(f"{victim.name} SIGKILLed after {indexed} of {MENTIONS} were indexed")
        if while_down is not None:
            while_down()
            victim.start()
        code = process.wait(timeout=600)
        print(f"run: {time.monotonic() - started:.1f} s")
    finally:
        process.kill()
    text = log.read_text(encoding="utf-8")
    assert code == 0, text[-3000:]
    assert "Traceback" not in text
    if while_down is None:
        assert _indexed_so_far(es, job.names) == MENTIONS, "all of it, on the living node"
        victim.start()
    cluster.wait_for_green()


def assert_like_the_clean_run(runs: Runs, job: Job) -> None:
    got = _outcome(runs.es, job)
    assert runs.clean[0] == MENTIONS
    assert runs.clean[1], "the load opens cases"
    assert got[0] == runs.clean[0]
    assert got[1] == runs.clean[1], got[1] ^ runs.clean[1]
    assert got[2] == runs.clean[2], got[2] ^ runs.clean[2]
    ids = indexed_ids(runs.es, job.names)
    assert len(ids) == len(set(ids)) == MENTIONS, "each mention exactly once"
    assert set(ids) == runs.clean_ids
    assert [copies_on(url, job.names) for url in runs.cluster.urls] == [MENTIONS] * 2


def test_losing_the_data_node_mid_run_loses_and_duplicates_nothing(runs: Runs) -> None:
    job = runs.job("data-node-killed")
    victim = runs.cluster.data_node
    try:
        run_and_kill(runs, job, victim)
        assert_like_the_clean_run(runs, job)
    finally:
        if not victim.status().running:
            victim.start()
        remove_prefix(runs.es, job.names)


def test_losing_the_master_mid_run_stops_writes_until_it_is_back_and_loses_nothing(
    runs: Runs,
) -> None:
    job = runs.job("master-killed")
    victim = runs.cluster.master

    def no_writes_without_a_master() -> None:
        with Elasticsearch(runs.cluster.data_node.url, request_timeout=30) as survivor:
            refused = survivor.options(ignore_status=503).index(
                index=f"{job.names.prefix}-probe", document={"probe": True}, timeout="3s"
            )
        assert refused.meta.status == 503, refused
        assert "no master" in str(refused.body), refused

    try:
        run_and_kill(runs, job, victim, no_writes_without_a_master)
        assert_like_the_clean_run(runs, job)
    finally:
        if not victim.status().running:
            victim.start()
        remove_prefix(runs.es, job.names)
