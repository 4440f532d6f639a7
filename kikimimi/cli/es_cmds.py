"""``kikimimi es``: manage the local Elasticsearch (one node, or ``elasticsearch.local.nodes``)."""

from __future__ import annotations

import click

from indexer import NodeStatus
from kikimimi import wiring
from kikimimi.cli.context import CliContext, pass_context, say


@click.group()
def es() -> None:
    """Start, stop and inspect the local Elasticsearch node (or local cluster)."""


@es.command("start")
@pass_context
def start(ctx: CliContext) -> None:
    """Download (once, checksum-verified) and start the local node(s); wait until healthy."""
    cluster = wiring.local_elasticsearch(ctx.settings, progress=say)
    statuses = cluster.start()
    for node in statuses:
        click.echo(
            f"{_prefix(node, statuses)}running: pid {node.pid}, {node.url}, health {node.health}"
        )
    _check_hosts(ctx, cluster.urls)


@es.command("stop")
@pass_context
def stop(ctx: CliContext) -> None:
    """Stop the local node(s) (SIGTERM, then SIGKILL after 30 s)."""
    was_running = wiring.local_elasticsearch(ctx.settings).stop()
    click.echo("stopped" if was_running else "not running")


@es.command("status")
@pass_context
def status(ctx: CliContext) -> None:
    """Show whether each local node runs and how healthy it is; exit 3 if one does not run."""
    statuses = wiring.local_elasticsearch(ctx.settings).status()
    for node in statuses:
        prefix = _prefix(node, statuses)
        if not node.running:
            click.echo(f"{prefix}not running ({node.directory})")
            continue
        click.echo(
            f"{prefix}running: pid {node.pid}, {node.url}, Elasticsearch {node.version}, "
            f"health {node.health}, data in {node.directory}"
        )
    if not all(node.running for node in statuses):
        ctx_exit(3)


def _prefix(node: NodeStatus, statuses: list[NodeStatus]) -> str:
    """Nothing for a single node; a cluster's node name and role before each line."""
    if len(statuses) == 1:
        return ""
    role = "master-eligible" if node.master_eligible else "data only"
    return f"{node.name} ({role}): "


def _check_hosts(ctx: CliContext, urls: list[str]) -> None:
    """Say so when ``elasticsearch.hosts`` lists some of the local cluster's nodes but not
    all: the client can turn to a living node only among those it knows."""
    configured = {
        str(host).rstrip("/").replace("//localhost:", "//127.0.0.1:")
        for host in ctx.settings.elasticsearch.hosts
    }
    missing = [url for url in urls if url not in configured]
    if 0 < len(missing) < len(urls):
        say(f"note: elasticsearch.hosts does not list {', '.join(missing)}; list every node")


def ctx_exit(code: int) -> None:
    click.get_current_context().exit(code)
