"""``kikimimi crawl SOURCE`` and ``kikimimi sources status``."""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import sys
import threading
from datetime import UTC, datetime

import click

from config import config_path
from kikimimi.cli.context import CliContext, pass_context, say


@click.command("crawl")
@click.argument("source_name", metavar="SOURCE")
@click.option(
    "--log-level",
    default="WARNING",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
    help="Scrapy's log level (stderr).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the run as one JSON object instead of a sentence (the scheduler reads it).",
)
@pass_context
def crawl(ctx: CliContext, source_name: str, log_level: str, as_json: bool) -> None:
    """Crawl one configured source now; new mentions go to the queue. Exit 1 if it failed;
    75 if another crawl of the source runs now (with the Redis queue, on any machine)."""
    from crawlers import run_crawl  # noqa: PLC0415 - Scrapy loads only to crawl
    from kikimimi.crawl_lease import BUSY_EXIT_STATUS, SourceBusyError, crawling  # noqa: PLC0415

    try:
        with crawling(ctx.settings, source_name):
            run = run_crawl(ctx.settings, source_name, log_level=log_level)
    except SourceBusyError as exc:
        say(str(exc))
        sys.exit(BUSY_EXIT_STATUS)
    click.echo(json.dumps(dataclasses.asdict(run)) if as_json else run.summary())
    if not run.ok:
        sys.exit(1)


@click.group("sources")
def sources() -> None:
    """The configured sources and how their crawls went."""


@sources.command("status")
@pass_context
def status(ctx: CliContext) -> None:
    """Per source: last success, last error, mentions found, items skipped as malformed in
    the last 24 hours, healthy or not. Exit 3 if any enabled source is unhealthy."""
    from crawlers import open_crawl_state, source_health  # noqa: PLC0415

    state = open_crawl_state(ctx.settings)
    try:
        report = source_health(ctx.settings.sources, state)
    finally:
        state.close()
    click.echo(
        f"{'source':<20} {'type':<15} {'health':<8} {'last success':<20} "
        f"{'malformed 24h':>13} {'found':>6}  last error"
    )
    for health in report:
        success = health.last_success
        when = _when(success.finished_at) if success else "never"
        found = success.mentions if success else 0
        error = health.last_failure.error if health.last_failure else ""
        mark = "ok" if health.healthy else "UNHEALTHY"
        click.echo(
            f"{health.name:<20} {health.type:<15} {mark:<8} {when:<20} "
            f"{health.malformed_recently:>13} {found:>6}  {error or ''}"
        )
        if not health.healthy:
            click.echo(f"{'':<20} {health.verdict}")
    if any(not h.healthy for h in report):
        sys.exit(3)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


@click.command("schedule")
@pass_context
def schedule(ctx: CliContext) -> None:
    """Run every enabled source on its interval until SIGINT/SIGTERM (running crawls finish
    first). ``kikimimi run`` does this too, together with the pipeline."""
    from kikimimi.scheduling import CrawlScheduler  # noqa: PLC0415

    logging.getLogger("kikimimi.scheduling").setLevel(logging.INFO)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = CrawlScheduler(ctx.settings, config_path(ctx.config_file))
    names = scheduler.start()
    say(f"scheduling {len(names)} source(s): {', '.join(names) or 'none enabled'}")
    try:
        while not stop.wait(1.0):
            pass
    finally:
        say("stopping: waiting for running crawls to finish")
        scheduler.shutdown(wait=True)
