"""``kikimimi es``: manage the local single-node Elasticsearch."""

from __future__ import annotations

import click

from kikimimi import wiring
from kikimimi.cli.context import CliContext, pass_context, say


@click.group()
def es() -> None:
    """Start, stop and inspect the local Elasticsearch node."""


@es.command("start")
@pass_context
def start(ctx: CliContext) -> None:
    """Download (once, checksum-verified) and start the local node; wait until healthy."""
    status = wiring.local_node(ctx.settings, progress=say).start()
    click.echo(f"running: pid {status.pid}, {status.url}, health {status.health}")


@es.command("stop")
@pass_context
def stop(ctx: CliContext) -> None:
    """Stop the local node (SIGTERM, then SIGKILL after 30 s)."""
    was_running = wiring.local_node(ctx.settings).stop()
    click.echo("stopped" if was_running else "not running")


@es.command("status")
@pass_context
def status(ctx: CliContext) -> None:
    """Show whether the local node runs and how healthy it is; exit 3 if it does not run."""
    node = wiring.local_node(ctx.settings).status()
    if not node.running:
        click.echo(f"not running ({node.directory})")
        ctx_exit(3)
    click.echo(
        f"running: pid {node.pid}, {node.url}, Elasticsearch {node.version}, "
        f"health {node.health}, data in {node.directory}"
    )


def ctx_exit(code: int) -> None:
    click.get_current_context().exit(code)
