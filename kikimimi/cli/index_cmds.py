"""``kikimimi index``: templates, loading mention files, spool replay, search."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import click

from core import escape_invisible, one_line
from indexer import IndexReport, search_mentions
from kikimimi import wiring
from kikimimi.cli.context import CliContext, pass_context, say
from kikimimi.cli.progress import IndexProgress


@click.group()
def index() -> None:
    """Write mentions to Elasticsearch and query them."""


@index.command("templates")
@pass_context
def templates(ctx: CliContext) -> None:
    """Install or update the index templates (idempotent)."""
    settings = ctx.settings
    report = wiring.install_index_templates(settings, wiring.elasticsearch_client(settings))
    click.echo(f"installed {', '.join(report.templates)} (text analyzer: {report.analyzer})")


@index.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@pass_context
def load(ctx: CliContext, files: tuple[Path, ...]) -> None:
    """Index mentions from JSONL FILES (one Mention per line); bad lines are dead-lettered."""
    settings = ctx.settings
    started = time.monotonic()
    indexer = wiring.indexer(
        settings, wiring.elasticsearch_client(settings), progress=IndexProgress(started)
    )
    report = indexer.index(_lines(files))
    click.echo(summary(report, time.monotonic() - started))
    if report.dead_lettered:
        say(f"dead letters (with reasons): {indexer.dead_letters.path}")
    if report.spooled:
        say(
            f"Elasticsearch unreachable: spooled in {indexer.spool.directory}; "
            "run `kikimimi index replay` when it is back"
        )


@index.command("replay")
@pass_context
def replay(ctx: CliContext) -> None:
    """Send the spooled mentions that could not reach Elasticsearch before."""
    settings = ctx.settings
    indexer = wiring.indexer(settings, wiring.elasticsearch_client(settings))
    started = time.monotonic()
    report = indexer.replay()
    click.echo(summary(report, time.monotonic() - started))
    left = indexer.spool.pending_count()
    if left:
        say(f"{left} mention(s) still spooled: Elasticsearch is not accepting them yet")
        click.get_current_context().exit(1)


@index.command("search")
@click.argument("words")
@click.option("--size", default=10, show_default=True, help="How many mentions to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored documents as JSON lines.")
@pass_context
def search(ctx: CliContext, words: str, size: int, as_json: bool) -> None:
    """Find the newest mentions containing WORDS (English or Japanese). Control characters,
    escape sequences, bidi controls and zero-width characters in the posts are left out
    (with ``--json``: written as ``\\uXXXX`` escapes)."""
    settings = ctx.settings
    hits = search_mentions(
        wiring.elasticsearch_client(settings), wiring.index_names(settings), words, size
    )
    for doc in hits:
        if as_json:
            click.echo(escape_invisible(json.dumps(doc, ensure_ascii=False)))
        else:
            click.echo(f"{doc['published_at']}  {doc['source']:<13} {one_line(doc['text'])[:100]}")
    if not as_json:
        say(f"{len(hits)} mention(s)")


def summary(report: IndexReport, seconds: float) -> str:
    counts = ", ".join(f"{name} {value}" for name, value in report.as_dict().items())
    return f"{counts} in {seconds:.1f} s"


def _lines(files: tuple[Path, ...]) -> Iterator[str]:
    for file in files:
        with file.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield line
