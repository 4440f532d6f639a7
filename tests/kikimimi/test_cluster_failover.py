"""``kikimimi run`` against a real two-node cluster with ``replicas: 1``.

Of two nodes only the first may be elected master (:mod:`indexer.localnode.cluster`), so
the node that dies here is the second, data-only one, made to hold every primary first:
SIGKILLed in the middle of a run, the run goes on against the first node, and the
mentions, cases and delivered notice keys equal a clean run's. Restarted, the node
catches up and the cluster is green again with every copy complete."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from indexer import install_templates
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
BATCH = "32"


def cluster_job(root: Path, cluster: RunningCluster, prefix: str, hook_url: str) -> Job:
    """A job importing ``root/export.jsonl`` into the cluster, both nodes in its hosts."""
    imports = root / "export.jsonl"
    root.mkdir(parents=True)
    mentions = generate_mentions(MENTIONS, seed=14)
    imports.write_text("".join(m.model_dump_json() + "\n" for m in mentions), encoding="utf-8")
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


def test_killing_the_data_node_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path, elasticsearch_cluster: RunningCluster
) -> None:
    cluster = elasticsearch_cluster
    doomed = cluster.data_node
    es = cluster.client()
    mentions = generate_mentions(MENTIONS, seed=14)
    with StandinServer(WebhookSink()) as hook:
        clean = cluster_job(tmp_path / "clean", cluster, "kkcluster-clean", hook.url)
        faulted = cluster_job(tmp_path / "faulted", cluster, "kkcluster-faulted", hook.url)
        try:
            clean.run("crawl", "imp")
            started = time.monotonic()
            clean.run("run", "--no-schedule", "--until-idle", "--batch-size", BATCH)
            print(f"clean run on two nodes: {time.monotonic() - started:.1f} s")

            faulted.run("crawl", "imp")
            install_templates(es, faulted.names, replicas=1)
            for index in {faulted.names.mention_index(m.published_at) for m in mentions}:
                es.indices.create(index=index)
            cluster.put_primaries_on(doomed, f"{faulted.names.prefix}-*")
            log = tmp_path / "faulted.log"
            with log.open("w", encoding="utf-8") as stderr:
                process = subprocess.Popen(
                    faulted.command("run", "--no-schedule", "--until-idle", "--batch-size", BATCH),
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            try:
                started = time.monotonic()
                wait_for(lambda: _indexed_so_far(es, faulted.names) >= MENTIONS // 3, 300)
                assert process.poll() is None, "the node dies before the run ends"
                cluster.kill(doomed)
                killed_at = _indexed_so_far(es, faulted.names)
                code = process.wait(timeout=600)
                print(
                    f"run with {doomed.name} SIGKILLed at {killed_at} of {MENTIONS} indexed: "
                    f"{time.monotonic() - started:.1f} s"
                )
            finally:
                process.kill()
            text = log.read_text(encoding="utf-8")
            assert code == 0, text[-3000:]
            assert "Traceback" not in text
            print("\n".join(line for line in text.splitlines() if "paused" in line))

            expected, got = _outcome(es, clean), _outcome(es, faulted)
            assert expected[0] == MENTIONS
            assert expected[1], "the load opens cases"
            assert got[0] == expected[0]
            assert got[1] == expected[1], got[1] ^ expected[1]
            assert got[2] == expected[2], got[2] ^ expected[2]
            ids = indexed_ids(es, faulted.names)
            assert sorted(ids) == sorted(m.id for m in mentions), "each mention exactly once"

            restarted = time.monotonic()
            doomed.start()
            cluster.wait_for_green()
            print(f"{doomed.name} back and the cluster green: {time.monotonic() - restarted:.1f} s")
            assert [copies_on(url, faulted.names) for url in cluster.urls] == [MENTIONS] * 2
        finally:
            if not doomed.status().running:
                doomed.start()
            for job in (clean, faulted):
                remove_prefix(es, job.names)
            es.close()
