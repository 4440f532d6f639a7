"""Shared fixtures: one real local Elasticsearch and one real Redis for the whole session,
Redis servers of a test's own, record factories."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from config.settings import LocalNodeSettings
from core.index_names import IndexNames
from core.records import Author, Engagement, Mention
from indexer.localnode import LocalCluster, LocalNode
from tests.elasticsearch_cluster import TEST_JVM_OPTIONS, RunningCluster, cluster_settings
from tests.redis_server import REDIS_SERVER, RedisServer

JA_PHRASES = (
    "ほしモバイルの通信障害がひどい",
    "料金が二重に請求されました",
    "アプリにログインできない",
)
EN_PHRASES = ("Hoshi Mobile network is down again", "double charge on my bill", "great support")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningElasticsearch:
    """The session's node and a client for it."""

    node: LocalNode
    url: str

    def client(self) -> Elasticsearch:
        return Elasticsearch(self.url, request_timeout=30)


@pytest.fixture(scope="session")
def elasticsearch_node() -> Iterator[RunningElasticsearch]:
    """A real single-node Elasticsearch (integ-test-zip from Maven Central) on a free port."""
    directory = Path(tempfile.mkdtemp(prefix="kikimimi-test-es-"))
    directory.chmod(0o755)  # the node runs as an unprivileged user when the tests run as root
    settings = LocalNodeSettings(
        port=free_port(), transport_port=free_port(), jvm_options=TEST_JVM_OPTIONS
    )
    node = LocalNode(settings, directory, progress=print)
    node.start()
    try:
        yield RunningElasticsearch(node=node, url=node.url)
    finally:
        node.stop()
        if not os.environ.get("KIKIMIMI_KEEP_TEST_NODE"):
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def elasticsearch_cluster() -> Iterator[RunningCluster]:
    """A real two-node Elasticsearch cluster on free ports (the first node master-eligible,
    the second data only), started only when a test asks for it."""
    directory = Path(tempfile.mkdtemp(prefix="kikimimi-test-cluster-"))
    directory.chmod(0o755)  # the nodes run as an unprivileged user when the tests run as root
    settings = cluster_settings()
    cluster = LocalCluster(settings, directory, progress=print)
    cluster.start()
    try:
        yield RunningCluster(cluster, settings, directory)
    finally:
        cluster.stop()
        if not os.environ.get("KIKIMIMI_KEEP_TEST_NODE"):
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def es(elasticsearch_node: RunningElasticsearch) -> Iterator[Elasticsearch]:
    client = elasticsearch_node.client()
    yield client
    client.close()


@pytest.fixture
def index_names(es: Elasticsearch) -> Iterator[IndexNames]:
    """A fresh index prefix per test; its indices and templates are removed afterwards."""
    names = IndexNames(f"kktest-{uuid.uuid4().hex[:10]}")
    yield names
    indices = list(es.indices.get(index=f"{names.prefix}-*", expand_wildcards="all"))
    if indices:
        es.indices.delete(index=",".join(indices))
    for template in (names.mentions_template, names.cases_template):
        es.options(ignore_status=404).indices.delete_index_template(name=template)
    es.options(ignore_status=404).cluster.delete_component_template(name=names.settings_component)


def needs_redis_server() -> None:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is missing: install Debian's redis-server to run Redis tests")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real ``redis-server`` for the session, without persistence; tests keep apart by key
    prefix (:func:`redis_prefix`)."""
    needs_redis_server()
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_prefix(redis_server: RedisServer) -> Iterator[str]:
    """A fresh key prefix on the session's Redis; its keys are deleted afterwards."""
    from redis import Redis  # noqa: PLC0415 - only Redis tests load the client

    prefix = f"kktest-{uuid.uuid4().hex[:10]}"
    yield prefix
    with Redis.from_url(redis_server.url) as client:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)


MakeRedisServer = Callable[..., RedisServer]


@pytest.fixture
def make_redis_server(tmp_path: Path) -> Iterator[MakeRedisServer]:
    """Start ``redis-server``\\ s of the test's own (``appendonly=True`` for one that keeps
    its data across restarts and kills, ``password`` for one that wants it, ``certificate``
    for one that speaks TLS), each in its own folder; all stopped at the end."""
    needs_redis_server()
    started: list[RedisServer] = []

    def make(
        *,
        appendonly: bool = False,
        password: str | None = None,
        certificate: tuple[Path, Path] | None = None,
    ) -> RedisServer:
        directory = tmp_path / f"redis-{len(started)}"
        server = RedisServer(directory, appendonly, password, certificate=certificate)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.kill()


MakeMentions = Callable[..., list[Mention]]


@pytest.fixture
def make_mentions() -> MakeMentions:
    """Build ``count`` valid mentions, half Japanese, spread over two months."""

    def make(count: int, *, source: str = "hackernews", likes: int = 1) -> list[Mention]:
        start = datetime(2026, 10, 20, tzinfo=UTC)
        mentions = []
        for i in range(count):
            japanese = i % 2 == 1
            phrase = (JA_PHRASES if japanese else EN_PHRASES)[i % 3]
            published = start + timedelta(minutes=5 * i)  # 10,000 end before 2026-11-25
            mentions.append(
                Mention(
                    source=source,
                    native_id=str(i),
                    text=f"{phrase} #{i}",
                    lang="ja" if japanese else "en",
                    author=Author(id=f"u{i % 50}", handle=f"user{i % 50}", followers=i),
                    published_at=published,
                    collected_at=published + timedelta(minutes=5),
                    engagement=Engagement(likes=likes, reposts=i % 7),
                )
            )
        return mentions

    return make
