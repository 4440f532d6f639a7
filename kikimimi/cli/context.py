"""What every subcommand shares: the configuration file, loaded on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from config import Settings, load_settings


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


pass_context = click.make_pass_decorator(CliContext)


def say(message: str) -> None:
    """Progress and status lines go to stderr, results to stdout."""
    click.echo(message, err=True)
