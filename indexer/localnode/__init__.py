"""The local Elasticsearch for development and tests: a single node, or a small cluster.

``LocalNode`` downloads the integ-test distribution from Maven (checksum-pinned,
cached), finds a Java 17+ runtime, writes the node's configuration into its own
directory and runs it on 127.0.0.1, as an unprivileged user when we are root.
``LocalCluster`` runs ``elasticsearch.local.nodes`` of them as one cluster (one node by
default).
"""

from .cluster import LocalCluster
from .node import LocalNode, NodeStatus

__all__ = ["LocalCluster", "LocalNode", "NodeStatus"]
