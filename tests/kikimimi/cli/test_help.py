"""Every command and subcommand answers --help."""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from kikimimi.cli import cli


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def test_every_subcommand_has_help() -> None:
    paths = list(command_paths(cli))
    assert ("es", "start") in paths and ("config", "check") in paths
    runner = CliRunner()
    for path in [(), *paths]:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage: " in result.output
        assert len(result.output.splitlines()) > 3
