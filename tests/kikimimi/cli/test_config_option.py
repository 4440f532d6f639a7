"""``--config`` is accepted before and after the subcommand (issue 10, item 12); the one
nearest the end wins. A file that fails to load names itself, which shows which was used."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from kikimimi.cli import cli


def kikimimi(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kikimimi", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def bad_configs(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text("indexer:\n  batch_size: many\n", encoding="utf-8")
    second.write_text("indexer:\n  batch_size: lots\n", encoding="utf-8")
    return first, second


@pytest.mark.parametrize(
    "order",
    [
        ("--config", "FILE", "status"),
        ("status", "--config", "FILE"),
        ("cases", "list", "--config", "FILE"),
        ("cases", "--config", "FILE", "list"),
    ],
)
def test_config_is_read_before_or_after_the_subcommand(
    bad_configs: tuple[Path, Path], order: tuple[str, ...]
) -> None:
    first, _ = bad_configs
    result = kikimimi(*(first if arg == "FILE" else arg for arg in order))
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {first}:2: indexer.batch_size: " + (
        "Input should be a valid integer, unable to parse string as an integer (got 'many')\n"
    )


def test_the_later_config_wins(bad_configs: tuple[Path, Path]) -> None:
    first, second = bad_configs
    result = kikimimi("--config", first, "status", "--config", second)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {second}:2: ")


def test_config_check_uses_a_config_given_after_it(bad_configs: tuple[Path, Path]) -> None:
    first, _ = bad_configs
    result = kikimimi("config", "check", "--config", first)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {first}:2: indexer.batch_size")


def every_command(group: click.Group) -> Iterator[click.Command]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield command
        if isinstance(command, click.Group):
            yield from every_command(command)


def test_every_command_takes_config() -> None:
    commands = list(every_command(cli))
    assert len(commands) > 20
    for command in commands:
        options = [o for p in command.params for o in p.opts]
        assert "--config" in options, command.name
