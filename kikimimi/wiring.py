"""Build the stages' objects from settings (factories; nothing happens at import time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from elasticsearch import Elasticsearch

from alerts import CaseStore, RuleEngine, SpikeDetector, SpikeState
from config import (
    Settings,
    dead_letters_path,
    embedding_cache_path,
    indexer_spool_dir,
    local_node_dir,
    mention_queue,
    outbox_path,
    redis_connection,
    spike_state_path,
    users_path,
)
from core import ElasticsearchError, ElasticsearchUnavailableError, IndexNames
from indexer import (
    DeadLetterFile,
    Indexer,
    IndexReport,
    LocalCluster,
    Spool,
    TemplateReport,
    cluster_health,
    install_templates,
    make_client,
)
from kikimimi.accounts import Accounts, SessionPolicy
from kikimimi.pipeline import Backoff, MentionAnalyzer, Pipeline
from kikimimi.workers import process_name

if TYPE_CHECKING:
    from alerts import Channel, Outbox
    from nlp import CachedThemeEncoder


def index_names(settings: Settings) -> IndexNames:
    return IndexNames(settings.elasticsearch.index_prefix)


def elasticsearch_client(settings: Settings) -> Elasticsearch:
    return make_client(settings.elasticsearch)


def local_elasticsearch(
    settings: Settings, progress: Callable[[str], None] | None = None
) -> LocalCluster:
    """The local node, or the local cluster of ``elasticsearch.local.nodes`` nodes."""
    return LocalCluster(settings.elasticsearch.local, local_node_dir(settings), progress=progress)


def install_index_templates(settings: Settings, client: Elasticsearch) -> TemplateReport:
    """Install the index templates with the configured replica count."""
    return install_templates(
        client, index_names(settings), replicas=settings.elasticsearch.replicas
    )


def uses_local_node(settings: Settings) -> bool:
    """Whether the configured cluster is the local node (or cluster) that ``kikimimi es``
    manages: every configured host is one of its nodes."""
    local = settings.elasticsearch.local
    ports = range(local.port, local.port + local.nodes)
    local_hosts = {f"http://{host}:{port}" for host in ("127.0.0.1", "localhost") for port in ports}
    return {str(h).rstrip("/") for h in settings.elasticsearch.hosts} <= local_hosts


def indexer(
    settings: Settings,
    client: Elasticsearch,
    progress: Callable[[IndexReport], None] | None = None,
) -> Indexer:
    return Indexer(
        client,
        index_names(settings),
        settings.indexer,
        Spool(indexer_spool_dir(settings)),
        DeadLetterFile(dead_letters_path(settings)),
        progress=progress,
    )


def prepare_elasticsearch(settings: Settings, say: Callable[[str], None]) -> Elasticsearch:
    """A client for the configured cluster. When the configured hosts are the local node's
    (or local cluster's) addresses and nothing answers there, the local Elasticsearch is
    started; whatever answers there (a node this state directory did not start included)
    is used as it is."""
    client = elasticsearch_client(settings)
    if uses_local_node(settings) and not _answers(client):
        local_elasticsearch(settings, progress=say).start()
    return client


def _answers(client: Elasticsearch) -> bool:
    """Whether a cluster answers the client at all (healthy or not)."""
    try:
        cluster_health(client)
    except ElasticsearchUnavailableError as exc:
        return exc.status is not None  # an HTTP status is an answer; a refused connection not
    except ElasticsearchError:
        return True
    return True


def case_store(settings: Settings, client: Elasticsearch) -> CaseStore:
    return CaseStore(client, index_names(settings), settings.alerting.cases)


def session_policy(settings: Settings) -> SessionPolicy:
    """How long a browser session lasts (``web.session_idle_hours``, ``web.session_max_days``)."""
    web = settings.web
    return SessionPolicy(
        idle=timedelta(hours=web.session_idle_hours), absolute=timedelta(days=web.session_max_days)
    )


def accounts(settings: Settings) -> Accounts:
    """The users file of the state directory, its sessions lasting as configured."""
    return Accounts(users_path(settings), sessions=session_policy(settings))


OUTBOX_LEASE_SECONDS = 60.0  # longer than the slowest send; a killed sender's claim ends then


def outbox(settings: Settings) -> Outbox:
    """The durable outbox of notices (``outbox.backend``); nothing connects to Redis before
    the first command."""
    from alerts import RedisOutbox, SqliteOutbox  # noqa: PLC0415

    alerting = settings.alerting
    base, most = alerting.retry_seconds, max(alerting.retry_seconds, alerting.max_retry_seconds)
    if settings.outbox.backend == "redis":
        return RedisOutbox(
            redis_connection(settings),
            settings.redis.key_prefix,
            base_backoff_seconds=base,
            max_backoff_seconds=most,
            lease_seconds=OUTBOX_LEASE_SECONDS,
        )
    return SqliteOutbox(
        outbox_path(settings),
        base_backoff_seconds=base,
        max_backoff_seconds=most,
        lease_seconds=OUTBOX_LEASE_SECONDS,
    )


def notification_channels(settings: Settings) -> dict[str, Channel]:
    from alerts import build_channels  # noqa: PLC0415

    return build_channels(settings)


def spike_detector(settings: Settings, client: Elasticsearch) -> SpikeDetector | None:
    spikes = settings.alerting.spikes
    if not spikes.enabled:
        return None
    brands = [
        *([b.name for b in settings.brands] if spikes.brand_role in (None, "own") else []),
        *(
            [b.name for b in settings.competitors]
            if spikes.brand_role in (None, "competitor")
            else []
        ),
    ]
    return SpikeDetector(client, index_names(settings), spikes, brands, spike_state(settings))


def spike_state(settings: Settings) -> SpikeState:
    """Where the spike detector remembers streaks: in Redis when schedulers elect their
    leader there (``queue.backend: redis``), so a leader on another machine goes on with
    them; else in the state directory."""
    from alerts import FileSpikeState, RedisSpikeState  # noqa: PLC0415

    if settings.queue.backend == "redis":
        return RedisSpikeState(redis_connection(settings), settings.redis.key_prefix)
    return FileSpikeState(spike_state_path(settings))


def pipeline(
    settings: Settings, client: Elasticsearch, analyzer: MentionAnalyzer | None = None
) -> Pipeline:
    """The whole pipeline after the crawlers, from settings (loads the NLP models). It
    installs the index templates before its first batch, and again when it resumes after a
    pause. With the Redis queue it claims as this process's own consumer (any number of
    pipelines share the queue); with the SQLite queue as ``pipeline``, the one pipeline of
    the state directory (:mod:`kikimimi.run_lock`)."""
    if analyzer is None:
        from nlp import Analyzer  # noqa: PLC0415 - torch/onnx load only here

        analyzer = Analyzer(settings)
    return Pipeline(
        mention_queue(settings),
        analyzer,
        RuleEngine(settings.rules, settings.alerting.vip_authors),
        indexer(settings, client),
        case_store(settings, client),
        outbox=outbox(settings),
        consumer=process_name() if settings.queue.backend == "redis" else "pipeline",
        connect=lambda: install_index_templates(settings, client),
        retry=Backoff(
            settings.indexer.initial_backoff_seconds, settings.indexer.max_backoff_seconds
        ),
    )


def theme_encoder(settings: Settings) -> CachedThemeEncoder:
    """The sentence encoder of the emerging themes behind the embedding cache of the state
    directory (cheap: the model loads on the first text to embed; close it when done)."""
    from nlp import CachedThemeEncoder, E5SentenceEncoder  # noqa: PLC0415 - torch loads here

    return CachedThemeEncoder(
        E5SentenceEncoder(device=settings.nlp.device),
        embedding_cache_path(settings),
        max_entries=settings.trends.emerging_cache_size,
    )
