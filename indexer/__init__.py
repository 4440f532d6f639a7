"""The indexing stage: mentions and cases into Elasticsearch.

Public interface: :class:`Indexer` (bulk, idempotent, retries, dead letters, outage spool)
and its :class:`IndexReport`; :func:`implausible_date` (the publication dates it accepts);
:func:`install_templates` (composable templates with the best Japanese-capable analyzer
the cluster has); :func:`make_client`; :func:`search_mentions`; :func:`cluster_health` and
:func:`count_mentions`; :class:`LocalNode`, the local development node
(:mod:`indexer.localnode`). Elasticsearch's own errors leave these as
:class:`core.ElasticsearchError`.
"""

from indexer.bulk import Indexer, IndexReport
from indexer.client import make_client
from indexer.cluster import ClusterHealth, cluster_health, count_mentions
from indexer.dead_letters import DeadLetterFile
from indexer.localnode import LocalNode, NodeStatus
from indexer.plausibility import implausible_date
from indexer.search import search_mentions, text_query
from indexer.spool import Spool
from indexer.templates import TemplateReport, detect_analyzer, install_templates

__all__ = [
    "ClusterHealth",
    "DeadLetterFile",
    "IndexReport",
    "Indexer",
    "LocalNode",
    "NodeStatus",
    "Spool",
    "TemplateReport",
    "cluster_health",
    "count_mentions",
    "detect_analyzer",
    "implausible_date",
    "install_templates",
    "make_client",
    "search_mentions",
    "text_query",
]
