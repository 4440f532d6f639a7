"""``kikimimi demo``: the README's main command."""

from __future__ import annotations

import click

from kikimimi.cli.context import CliContext, pass_context, say
from kikimimi.demo.job import render, run_demo


@click.command()
@pass_context
def demo(ctx: CliContext) -> None:
    """Run the main job offline on the bundled sample and print what happened."""
    summary = run_demo(ctx.settings, say)
    click.echo(render(summary))
    say("Elasticsearch keeps running for exploration; stop it with `kikimimi es stop`.")
