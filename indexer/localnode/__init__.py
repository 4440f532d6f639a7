"""A local single-node Elasticsearch for development and tests.

``LocalNode`` downloads the integ-test distribution from Maven (checksum-pinned,
cached), finds a Java 17+ runtime, writes the node's configuration into its own
directory and runs it on 127.0.0.1, as an unprivileged user when we are root.
"""

from .node import LocalNode, NodeStatus

__all__ = ["LocalNode", "NodeStatus"]
