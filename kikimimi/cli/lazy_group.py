"""The top-level command group: a command's module is imported only when that command runs
or lists its help, so ``kikimimi nlp score`` does not pay for the web app or the demo."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from kikimimi.cli.context import accept_config_everywhere


class LazyGroup(click.Group):
    """A group whose commands are named ``"module:attribute"`` and loaded on first use; each
    loaded command accepts ``--config`` after it too."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            accept_config_everywhere(command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)
