"""Shared fixtures: one real local Elasticsearch for the whole session, record factories."""

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
from indexer.localnode import LocalNode

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
    settings = LocalNodeSettings(port=free_port(), transport_port=free_port())
    node = LocalNode(settings, directory, progress=print)
    node.start()
    try:
        yield RunningElasticsearch(node=node, url=node.url)
    finally:
        node.stop()
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
