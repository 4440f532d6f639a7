"""``kikimimi status``: every stage at a glance."""

from __future__ import annotations

import sys

import click

from config import crawl_state_path, queue_path
from core import ElasticsearchError
from indexer import cluster_health, count_mentions
from kikimimi import wiring
from kikimimi.cli.context import CliContext, pass_context


@click.command("status")
@pass_context
def status(ctx: CliContext) -> None:
    """Queue depth, outbox, sources' health, Elasticsearch health and open cases. Exit 3 when
    something needs attention."""
    from core import SqliteMentionQueue  # noqa: PLC0415
    from crawlers import CrawlState, source_health  # noqa: PLC0415

    settings = ctx.settings
    attention = False
    queue = SqliteMentionQueue(queue_path(settings))
    click.echo(f"queue:          {queue.depth():,} mention(s) waiting or in flight")
    queue.close()
    outbox = wiring.outbox(settings)
    counts = outbox.counts()
    outbox.close()
    click.echo(
        f"outbox:         {counts.pending} pending, {counts.delivered} delivered, "
        f"{counts.failed} failed"
    )
    attention |= counts.failed > 0
    client = wiring.elasticsearch_client(settings)
    try:
        health = cluster_health(client)
        mentions = count_mentions(client, wiring.index_names(settings))
        open_cases = wiring.case_store(settings, client).count_open()
        click.echo(
            f"elasticsearch:  {health.status} ({health.nodes} node(s)), "
            f"{mentions:,} mention(s), {open_cases:,} open case(s)"
        )
        attention |= health.status == "red"
    except ElasticsearchError as exc:
        click.echo(f"elasticsearch:  {exc}")
        attention = True
    state = CrawlState(crawl_state_path(settings))
    try:
        for health_row in source_health(settings.sources, state):
            mark = "ok" if health_row.healthy else "UNHEALTHY"
            click.echo(f"source {health_row.name:<16} {mark:<9} {health_row.verdict}")
            attention |= not health_row.healthy
    finally:
        state.close()
    if attention:
        sys.exit(3)
