"""``kikimimi queue``: the mentions the pipeline could not process (dead letters)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from config import mention_queue
from core import one_line
from kikimimi.cli.context import CliContext, pass_context, say


@click.group()
def queue() -> None:
    """The durable mention queue between the crawlers and the pipeline."""


@queue.command("dead-letters")
@click.option(
    "--retry",
    "action",
    flag_value="retry",
    help="Put them all back into the queue (once what made them fail is fixed).",
)
@click.option("--drop", "action", flag_value="drop", help="Delete them all for good.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@pass_context
def dead_letters(ctx: CliContext, action: str | None, limit: int) -> None:
    """The mentions the pipeline dead-lettered (a stage failed on them, or their date is
    implausible), newest first, each with its reason; or retry or drop them all."""
    mentions = mention_queue(ctx.settings)
    try:
        if action == "retry":
            click.echo(f"{mentions.retry_dead_letters()} mention(s) back in the queue")
        elif action == "drop":
            click.echo(f"{mentions.drop_dead_letters()} mention(s) dropped")
        else:
            for letter in mentions.dead_letters(limit):
                at = datetime.fromtimestamp(letter.dead_at, UTC)
                where = f"{letter.mention.source}/{letter.mention.native_id}"
                click.echo(one_line(f"{at:%Y-%m-%d %H:%M:%S}  {where}  {letter.reason}"))
            say(f"{mentions.dead_letter_count()} dead letter(s)")
    finally:
        mentions.close()
