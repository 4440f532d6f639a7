"""Build the stages' objects from settings (factories; nothing happens at import time)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from elasticsearch import Elasticsearch

from indexer.bulk import Indexer, IndexReport
from indexer.client import make_client
from indexer.dead_letters import DeadLetterFile
from indexer.localnode import LocalNode
from indexer.names import IndexNames
from indexer.spool import Spool
from indexer.templates import TemplateReport, install_templates
from kikimimi.settings import Settings


def queue_path(settings: Settings) -> Path:
    """The local durable mention queue between crawlers and the pipeline."""
    return settings.state_dir / "queue" / "mentions.sqlite"


def crawl_state_path(settings: Settings) -> Path:
    """Cursors, seen ids and run history of the crawlers."""
    return settings.state_dir / "crawl" / "state.sqlite"


def index_names(settings: Settings) -> IndexNames:
    return IndexNames(settings.elasticsearch.index_prefix)


def elasticsearch_client(settings: Settings) -> Elasticsearch:
    return make_client(settings.elasticsearch)


def local_node(settings: Settings, progress: Callable[[str], None] | None = None) -> LocalNode:
    local = settings.elasticsearch.local
    directory = local.directory or settings.state_dir / "elasticsearch"
    return LocalNode(local, Path(directory), progress=progress)


def install_index_templates(settings: Settings, client: Elasticsearch) -> TemplateReport:
    """Install the index templates with the configured replica count."""
    return install_templates(
        client, index_names(settings), replicas=settings.elasticsearch.replicas
    )


def uses_local_node(settings: Settings) -> bool:
    """Whether the configured cluster is the local node that ``kikimimi es`` manages."""
    port = settings.elasticsearch.local.port
    local_hosts = {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
    return {str(h).rstrip("/") for h in settings.elasticsearch.hosts} <= local_hosts


def indexer(
    settings: Settings,
    client: Elasticsearch,
    progress: Callable[[IndexReport], None] | None = None,
) -> Indexer:
    state = settings.state_dir / "indexer"
    return Indexer(
        client,
        index_names(settings),
        settings.indexer,
        Spool(state / "spool"),
        DeadLetterFile(state / "dead-letters.jsonl"),
        progress=progress,
    )
