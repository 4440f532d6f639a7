"""``kikimimi run`` while Elasticsearch is away: it keeps crawling, stops claiming batches,
spools each mention at most once, logs one line per retry, and claims idle only once the
spool is replayed. The outage is a cut in a TCP proxy in front of the real node."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from elasticsearch import Elasticsearch

from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from core.mention_queue import SqliteMentionQueue
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import Job, WebhookSink, _environment, _indexed_so_far, wait_for
from tests.tcp_proxy import CuttableProxy

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

FAST_RETRIES = {"max_retries": 1, "initial_backoff_seconds": 0.2, "max_backoff_seconds": 30}
OUTAGE_SECONDS = 12


def node_port(node: RunningElasticsearch) -> int:
    port = urlsplit(node.url).port
    assert port is not None
    return port


@pytest.fixture
def proxy(elasticsearch_node: RunningElasticsearch) -> Iterator[CuttableProxy]:
    with CuttableProxy(node_port(elasticsearch_node)) as running:
        yield running


def spooled_ids(job: Job) -> list[str]:
    """The ids of every document in the indexer's spool (repeats included)."""
    spool = job.root / "var" / "indexer" / "spool"
    lines = [line for f in sorted(spool.glob("*")) for line in f.read_bytes().splitlines()]
    return [json.loads(action)["index"]["_id"] for action in lines[::2]]


def most_claims(job: Job) -> int:
    """How often the most-claimed mention still in the queue was handed out."""
    with sqlite3.connect(job.root / "var" / "queue" / "mentions.sqlite") as db:
        (claims,) = db.execute("SELECT COALESCE(MAX(deliveries), 0) FROM mentions").fetchone()
    return int(claims)


def queue_depth(job: Job) -> int:
    queue = SqliteMentionQueue(job.root / "var" / "queue" / "mentions.sqlite")
    try:
        return queue.depth()
    finally:
        queue.close()


def retry_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "retry" in line and "paused" in line]


def test_an_outage_near_the_end_pauses_claims_spools_once_and_replays_before_idle(
    tmp_path: Path, proxy: CuttableProxy, es: Elasticsearch, index_names: IndexNames
) -> None:
    mentions = generate_mentions(600, seed=21)
    log = tmp_path / "run.log"
    with StandinServer(WebhookSink()) as hook:
        job = _environment(
            tmp_path,
            proxy.url,
            index_names.prefix,
            hook.url,
            tmp_path / "unused.jsonl",
            extra={"sources": [], "indexer": FAST_RETRIES},
        )
        queue = SqliteMentionQueue(job.root / "var" / "queue" / "mentions.sqlite")
        queue.put(mentions)
        queue.close()
        with log.open("w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                job.command("run", "--no-schedule", "--until-idle", "--batch-size", "32"),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            wait_for(lambda: _indexed_so_far(es, index_names) >= 300, timeout=300)
            proxy.cut()
            assert process.poll() is None, "the outage comes before the run ends"
            time.sleep(OUTAGE_SECONDS / 2)
            early = spooled_ids(job)
            time.sleep(OUTAGE_SECONDS / 2)
            late, claims = spooled_ids(job), most_claims(job)
            proxy.restore()
            code = process.wait(timeout=300)
        finally:
            process.kill()
    text = log.read_text(encoding="utf-8")
    assert code == 0, text[-3000:]
    assert late == early, "nothing is claimed or spooled again while Elasticsearch is away"
    assert len(late) == len(set(late)) <= 32, "each mention is spooled once"
    assert claims <= 2, "no batch is claimed again and again during the outage"
    assert "Traceback" not in text
    retries = retry_lines(text)
    assert 2 <= len(retries) <= 10, text[-3000:]
    assert all("Elasticsearch is unavailable" in line and " s" in line for line in retries)
    assert _indexed_so_far(es, index_names) == len(mentions)
    assert spooled_ids(job) == [], "idle means the spool is replayed"


def test_a_run_started_while_elasticsearch_is_unreachable_crawls_and_waits_for_it(
    tmp_path: Path, proxy: CuttableProxy, es: Elasticsearch, index_names: IndexNames
) -> None:
    imports = tmp_path / "export.jsonl"
    mentions = generate_mentions(60, seed=8)
    imports.write_text("".join(m.model_dump_json() + "\n" for m in mentions), encoding="utf-8")
    log = tmp_path / "run.log"
    proxy.cut()
    with StandinServer(WebhookSink()) as hook:
        job = _environment(
            tmp_path,
            proxy.url,
            index_names.prefix,
            hook.url,
            imports,
            extra={"indexer": FAST_RETRIES},
        )
        with log.open("w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                job.command("run", "--until-idle"), stdout=subprocess.DEVNULL, stderr=stderr
            )
        try:
            wait_for(
                lambda: process.poll() is not None or queue_depth(job) == len(mentions),
                timeout=180,
            )
            assert process.poll() is None, log.read_text(encoding="utf-8")[-3000:]
            time.sleep(3)  # a few retries (of the template installation first)
            proxy.restore()
            code = process.wait(timeout=300)
        finally:
            process.kill()
    text = log.read_text(encoding="utf-8")
    assert code == 0, text[-3000:]
    assert "Traceback" not in text
    retries = retry_lines(text)
    assert retries and all("Elasticsearch is unavailable" in line for line in retries)
    assert "text analyzers" in retries[0], "the first thing retried is the templates' set-up"
    assert _indexed_so_far(es, index_names) == len(mentions)


def test_a_healthy_cluster_on_the_local_nodes_port_is_used_as_it_is(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    """Not started by this state directory, but answering and healthy: used, not refused."""
    url = elasticsearch_node.url
    with StandinServer(WebhookSink()) as hook:
        job = _environment(
            tmp_path,
            url,
            index_names.prefix,
            hook.url,
            tmp_path / "unused.jsonl",
            extra={
                "sources": [],
                "elasticsearch": {
                    "hosts": [url],
                    "index_prefix": index_names.prefix,
                    "local": {
                        "port": node_port(elasticsearch_node),
                        "directory": str(tmp_path / "never-started"),
                    },
                },
            },
        )
        queue = SqliteMentionQueue(job.root / "var" / "queue" / "mentions.sqlite")
        queue.put(generate_mentions(5, seed=2))
        queue.close()
        job.run("run", "--no-schedule", "--until-idle")
    assert _indexed_so_far(es, index_names) == 5
    assert not (tmp_path / "never-started").exists()
