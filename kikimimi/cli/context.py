"""What every subcommand shares: the configuration file, loaded on first use, and the
``--config`` option that chooses it, accepted before and after any subcommand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from config import Settings, load_settings

CONFIG_HELP = "Configuration file (default: $KIKIMIMI_CONFIG, else config/kikimimi.yaml)."


@dataclass
class CliContext:
    """The ``--config`` choice and the settings read from it."""

    config_file: Path | None
    _settings: Settings | None = field(default=None, init=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file)
        return self._settings

    def use_config(self, config_file: Path) -> None:
        """Read ``config_file`` instead: a ``--config`` later on the command line wins."""
        self.config_file = config_file
        self._settings = None


pass_context = click.make_pass_decorator(CliContext)


def say(message: str) -> None:
    """Progress and status lines go to stderr, results to stdout."""
    click.echo(message, err=True)


def accept_config_everywhere(command: click.Command) -> None:
    """Give ``command`` and every command under it a ``--config`` option too, so that it may
    follow the subcommand (``kikimimi status --config FILE``) as well as precede it."""
    command.params.append(
        click.Option(
            ["--config"],
            type=click.Path(path_type=Path, dir_okay=False),
            expose_value=False,
            callback=_use_config,
            help=CONFIG_HELP,
        )
    )
    if isinstance(command, click.Group):
        for each in command.commands.values():
            accept_config_everywhere(each)


def _use_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is None:
        return
    shared = ctx.find_object(CliContext)
    if shared is None:
        ctx.obj = CliContext(value)
    else:
        shared.use_config(value)
