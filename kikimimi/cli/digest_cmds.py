"""``kikimimi digest send|preview``: an audience's brand-health digest, sent through the outbox
now or written to files for a person to look at."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from config import DigestSettings, Settings
from core import one_line
from kikimimi import wiring
from kikimimi.cli.context import CliContext, pass_context, say
from kikimimi.digest import (
    DigestPeriod,
    DigestSchedule,
    DigestSources,
    build_digest,
    render_digest,
    send_digest,
)

AUDIENCE_HELP = "The audience, by its name in the configuration's digests."
PERIOD_END_HELP = (
    "The day the period ends before (YYYY-MM-DD, in the audience's time zone): the digest "
    "covers the audience's period_days days up to that day's start. Default: the period of "
    "the latest scheduled send."
)


@click.group("digest")
def digest() -> None:
    """Weekly brand-health digests (the configuration's digests)."""


def _audience(settings: Settings, name: str) -> DigestSettings:
    for audience in settings.digests:
        if audience.name == name:
            return audience
    names = ", ".join(a.name for a in settings.digests) or "none"
    raise click.BadParameter(
        f"no digest audience {name!r}; configured: {names}", param_hint="--audience"
    )


def _period(audience: DigestSettings, period_end: datetime | None) -> DigestPeriod:
    schedule = DigestSchedule(audience)
    if period_end is not None:
        return schedule.period_ending(period_end.date())
    return schedule.period_of(schedule.latest_fire(datetime.now(UTC)))


@digest.command("send")
@click.option("--audience", "name", required=True, help=AUDIENCE_HELP)
@click.option("--period-end", type=click.DateTime(["%Y-%m-%d"]), default=None, help=PERIOD_END_HELP)
@pass_context
def send(ctx: CliContext, name: str, period_end: datetime | None) -> None:
    """Queue the audience's digest in the outbox (once per period and channel: a second send
    of the same period queues nothing), then deliver what is due on its channels. Exits 3
    when a channel has not taken it yet (the main job keeps retrying)."""
    settings = ctx.settings
    audience = _audience(settings, name)
    period = _period(audience, period_end)
    client = wiring.elasticsearch_client(settings)
    with wiring.outbox(settings) as outbox:
        sources = DigestSources.for_settings(settings, client, outbox)
        sent = send_digest(settings, audience, period, sources, datetime.now(UTC))
        if sent.queued:
            say(f"queued the digest of {period.key} for {sent.queued} channel(s)")
        else:
            say(f"the digest of {period.key} was already in the outbox: nothing queued")
        channels = wiring.notification_channels(settings)
        outbox.deliver_due({c: channels[c] for c in audience.channels if c in channels})
        entries = [outbox.get(key) for key in sent.keys]
    waiting = 0
    for channel, entry in zip(audience.channels, entries, strict=True):
        if entry is not None and entry.status == "delivered":
            click.echo(f"{channel}: delivered")
            continue
        waiting += 1
        status, error = (entry.status, entry.last_error) if entry else ("missing", None)
        click.echo(f"{channel}: {status}" + (f": {one_line(error)}" if error else ""))
    if waiting:
        sys.exit(3)


@digest.command("preview")
@click.option("--audience", "name", required=True, help=AUDIENCE_HELP)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write digest.html (with its charts as PNG files), digest.txt and "
    "slack.json into.",
)
@click.option("--period-end", type=click.DateTime(["%Y-%m-%d"]), default=None, help=PERIOD_END_HELP)
@pass_context
def preview(ctx: CliContext, name: str, out: Path, period_end: datetime | None) -> None:
    """Write the audience's digest as it would be sent, without sending it: the e-mail's
    HTML (open it in a browser) and text, and the Slack payload."""
    settings = ctx.settings
    audience = _audience(settings, name)
    period = _period(audience, period_end)
    client = wiring.elasticsearch_client(settings)
    with wiring.outbox(settings) as outbox:
        found = build_digest(
            settings, audience, period, DigestSources.for_settings(settings, client, outbox)
        )
    rendered = render_digest(found, image_source=lambda chart: f"{chart.name}.png")
    slack = {"text": one_line(rendered.subject), "blocks": rendered.slack_blocks}
    files = {
        "digest.html": rendered.html.encode("utf-8"),
        "digest.txt": rendered.text.encode("utf-8"),
        "slack.json": json.dumps(slack, ensure_ascii=False, indent=2).encode("utf-8") + b"\n",
        **{f"{chart.name}.png": chart.png for chart in rendered.charts},
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        for file_name, data in files.items():
            (out / file_name).write_bytes(data)
    except OSError as error:
        raise click.FileError(str(out), error.strerror or str(error)) from None
    say(f"wrote the digest of {period.key} for {audience.name} to {out}: {', '.join(files)}")
