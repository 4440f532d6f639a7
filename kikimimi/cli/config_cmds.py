"""``kikimimi config``: validate configuration files."""

from __future__ import annotations

from pathlib import Path

import click

from config import check_settings, config_path
from kikimimi.cli.context import CliContext, pass_context


@click.group()
def config() -> None:
    """Inspect and validate configuration."""


@config.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@pass_context
def check(ctx: CliContext, path: Path | None) -> None:
    """Validate PATH (default: the --config file) and the files it names; exit non-zero
    with one line per problem."""
    file = config_path(path or ctx.config_file)
    settings = check_settings(file)
    click.echo(
        f"{file}: OK — {len(settings.brands)} brand(s), {len(settings.competitors)} "
        f"competitor(s), {len(settings.sources)} source(s), "
        f"{len(settings.notifications)} notification channel(s), {len(settings.rules)} rule(s)"
    )
