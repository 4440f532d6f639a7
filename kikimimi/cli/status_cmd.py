"""``kikimimi status``: every stage at a glance."""

from __future__ import annotations

import sys

import click
from elasticsearch import Elasticsearch

from config import Settings, mention_queue
from core import ElasticsearchError, RedisError, RedisMentionQueue, one_line
from indexer import cluster_health, count_mentions
from kikimimi import wiring
from kikimimi.cli.context import CliContext, pass_context
from kikimimi.cli.workers_status import show_workers


@click.command("status")
@pass_context
def status(ctx: CliContext) -> None:
    """The processes of `kikimimi run` and the scheduler leader, queue depth (and, with
    Redis, what is claimed) and dead letters, the indexer's spool and refused documents,
    outbox, Elasticsearch health, open cases, sources' health. Exit 3 when something needs
    attention: workers alive but no scheduler leading, dead letters, Redis unreachable,
    spooled or refused documents, notices retrying or failed, Elasticsearch red or
    unreachable, an unhealthy source."""
    settings = ctx.settings
    client = wiring.elasticsearch_client(settings)
    attention = [
        show_workers(settings),
        _queue(settings),
        _indexer(settings, client),
        _outbox(settings),
        _elasticsearch(settings, client),
        _sources(settings),
    ]
    if any(attention):
        sys.exit(3)


def _queue(settings: Settings) -> bool:
    queue = mention_queue(settings)
    try:
        depth = queue.depth()
        claimed = _claimed(queue) if depth and isinstance(queue, RedisMentionQueue) else ""
        click.echo(f"queue:          {depth:,} mention(s) waiting or in flight{claimed}")
        dead = queue.dead_letter_count()
        newest = queue.dead_letters(limit=1)
    except RedisError as exc:
        click.echo(f"queue:          {one_line(str(exc))}")
        return True
    finally:
        queue.close()
    if not newest:
        click.echo("dead letters:   none")
        return False
    click.echo(
        f"dead letters:   {dead:,} mention(s) the pipeline could not process, newest: "
        f"{one_line(newest[0].reason)} (see `kikimimi queue dead-letters`)"
    )
    return True


def _claimed(queue: RedisMentionQueue) -> str:
    """What the consumer group holds: claimed by workers, and given back (a dead or stopped
    worker's, claimable at once)."""
    group = queue.group()
    holders = sum(1 for consumer in group.consumers if consumer.pending)
    claimed = group.pending - group.released
    released = f", {group.released:,} given back to be claimed again" if group.released else ""
    return f": {claimed:,} claimed by {holders} worker(s){released}"


def _indexer(settings: Settings, client: Elasticsearch) -> bool:
    indexer = wiring.indexer(settings, client)
    spooled = indexer.spool.pending_count()
    click.echo(
        f"spool:          {spooled:,} mention(s) waiting for Elasticsearch "
        "(the main job or `kikimimi index replay` sends them)"
        if spooled
        else "spool:          empty"
    )
    refused, reason = indexer.dead_letters.summary()
    if refused:
        click.echo(
            f"not indexed:    {refused:,} document(s) dead-lettered by the indexer, newest: "
            f"{one_line(reason or '?')} (in {indexer.dead_letters.path})"
        )
    return spooled > 0 or refused > 0


def _outbox(settings: Settings) -> bool:
    outbox = wiring.outbox(settings)
    try:
        counts = outbox.counts()
    finally:
        outbox.close()
    click.echo(
        f"outbox:         {counts.pending} pending ({counts.retrying} retrying), "
        f"{counts.delivered} delivered, {counts.failed} failed"
    )
    return counts.failed > 0 or counts.retrying > 0


def _elasticsearch(settings: Settings, client: Elasticsearch) -> bool:
    try:
        health = cluster_health(client)
        mentions = count_mentions(client, wiring.index_names(settings))
        open_cases = wiring.case_store(settings, client).count_open()
    except ElasticsearchError as exc:
        click.echo(f"elasticsearch:  {exc}")
        return True
    click.echo(
        f"elasticsearch:  {health.status} ({health.nodes} node(s)), "
        f"{mentions:,} mention(s), {open_cases:,} open case(s)"
    )
    return health.status == "red"


def _sources(settings: Settings) -> bool:
    from crawlers import open_crawl_state, source_health  # noqa: PLC0415 - loads Scrapy

    state = open_crawl_state(settings)
    try:
        rows = source_health(settings.sources, state)
    finally:
        state.close()
    for row in rows:
        mark = "ok" if row.healthy else "UNHEALTHY"
        click.echo(f"source {row.name:<16} {mark:<9} {row.verdict}")
    return not all(row.healthy for row in rows)
