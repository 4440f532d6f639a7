"""``kikimimi run`` (the main job), ``kikimimi rules test`` and ``kikimimi cases ...``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

import click

from alerts import CaseStore
from config import config_path
from core import (
    AnalyzedMention,
    Case,
    IndexedMention,
    Mention,
    RecordError,
    one_line,
    parse_record,
)
from kikimimi import wiring
from kikimimi.cli.context import CliContext, pass_context, say
from kikimimi.roles import ROLES, Role


@click.command("run")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="all",
    show_default=True,
    help="What this process does: the scheduler leader's work (crawl schedule, SLA, digest "
    "and spike sweeps; one leads, elected in Redis), the pipeline, the notifier, the web app "
    "(and its sweeps), or all but the web app. See docs/scaling.md.",
)
@click.option(
    "--for",
    "duration",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Stop after this many seconds (default: until SIGINT/SIGTERM).",
)
@click.option(
    "--no-schedule", is_flag=True, help="Only process the queue; do not run the crawl schedule."
)
@click.option(
    "--until-idle",
    is_flag=True,
    help="Stop once the queue, the indexer's spool and the outbox are drained; stopped "
    "before that (--for, a signal), exit 3 saying what is left.",
)
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=256, show_default=True)
@pass_context
def run(
    ctx: CliContext,
    role: Role,
    duration: float | None,
    no_schedule: bool,
    until_idle: bool,
    batch_size: int,
) -> None:
    """The main job: crawl on schedule, analyse, index, open cases, notify; all of it, or
    one role of it (--role). What lives in files of the state directory runs once per
    state directory: a second one is refused."""
    if until_idle and role in {"scheduler", "web"}:
        raise click.UsageError(f"--until-idle: the {role} role has nothing to drain")
    if role == "web":
        from kikimimi.web_role import run_web_role  # noqa: PLC0415

        if not run_web_role(ctx.settings, say):
            say("error: could not serve the web app (see above)")
            sys.exit(1)
        return
    from kikimimi.main_job import RunOptions, run_main_job  # noqa: PLC0415

    options = RunOptions(
        duration_seconds=duration,
        schedule=not no_schedule,
        batch_size=batch_size,
        until_idle=until_idle,
        live_progress=sys.stderr.isatty(),
        role=role,
    )
    result = run_main_job(ctx.settings, config_path(ctx.config_file), options, say)
    totals, left = result.totals, result.left
    if role in {"all", "pipeline"}:
        click.echo(
            f"processed {totals.mentions} mention(s) ({totals.rate:,.0f}/s): "
            f"{totals.cases_opened} case(s) opened, {totals.cases_updated} updated, "
            f"{totals.notices} notice(s) queued, {totals.spikes} spike alert(s)"
        )
    if left.dead_letters:
        say(f"{left.dead_letters} mention(s) dead-lettered: see `kikimimi queue dead-letters`")
    if until_idle and not left.idle:
        say(f"stopped before idle: {left.describe()}")
        sys.exit(3)


@click.group("rules")
def rules() -> None:
    """Alert rules."""


@rules.command("test")
@click.argument("mentions_file", type=click.File("r", encoding="utf-8"))
@pass_context
def rules_test(ctx: CliContext, mentions_file: TextIO) -> None:
    """Show which rules fire on the mentions in a JSONL file, and why. Lines that are not yet
    analysed (no sentiment) go through the NLP stage first."""
    from alerts import RuleEngine  # noqa: PLC0415

    analyzed: list[AnalyzedMention] = []
    raw: list[Mention] = []
    for number, line in enumerate(mentions_file, start=1):
        if not line.strip():
            continue
        try:
            record = parse_record(IndexedMention, line)  # a mention, analysed or indexed
        except RecordError as exc:
            say(one_line(f"line {number}: skipped: {exc}"))
            continue
        if record.sentiment is None:
            raw.append(record)
        else:
            analyzed.append(record)
    if raw:
        from nlp import Analyzer  # noqa: PLC0415 - heavy

        say(f"analysing {len(raw)} mention(s) first")
        analyzed += Analyzer(ctx.settings).analyze(raw)
    engine = RuleEngine(ctx.settings.rules, ctx.settings.alerting.vip_authors)
    for mention in analyzed:
        decision = engine.decide(mention)
        sentiment = mention.sentiment.label if mention.sentiment else "?"
        brands = ", ".join(f"{b.brand}/{b.role}" for b in mention.brands) or "no brand"
        click.echo(
            one_line(f"{mention.id} [{mention.source}] {sentiment}, {mention.intent}, {brands}")
        )
        click.echo(f"  {one_line(mention.text)[:100]}")
        if not decision.matches:
            click.echo("  no rule fires")
        for match in decision.matches:
            click.echo(f"  fires {one_line(match.explain())}")
        if decision.case:
            c = decision.case
            click.echo(
                f"  → case for {one_line(c.brand)}: priority {c.priority}, team {c.team}, "
                f"notify {', '.join(c.notify) or 'nobody'}"
            )
        for feed, channels in decision.feeds.items():
            click.echo(f"  → feed {feed} (notify {', '.join(channels) or 'nobody'})")


@click.group("cases")
def cases() -> None:
    """List, show, assign, respond to and close cases."""


def _store(ctx: CliContext) -> CaseStore:
    return wiring.case_store(ctx.settings, wiring.elasticsearch_client(ctx.settings))


def _line(case: Case) -> str:
    """One case on one line; every text from the case (its author's handle above all) is
    made harmless for the terminal."""
    who = one_line(case.author.handle or case.author.id or "") or "?"
    breach = " SLA BREACHED" if case.sla_breached else ""
    return (
        f"{case.id}  {case.status:<9} {case.priority:<6} {case.team or '-':<10} "
        f"{one_line(case.brand):<14} {who:<28} {len(case.mention_ids):>3} post(s)  "
        f"opened {case.opened_at:%Y-%m-%d %H:%M}{breach}"
    )


@cases.command("list")
@click.option(
    "--status", multiple=True, type=click.Choice(["open", "assigned", "responded", "closed"])
)
@click.option("--brand", default=None)
@click.option("--limit", type=int, default=50, show_default=True)
@pass_context
def cases_list(ctx: CliContext, status: tuple[str, ...], brand: str | None, limit: int) -> None:
    """Cases, newest first."""
    store = _store(ctx)
    for number, case in enumerate(store.search(status=list(status) or None, brand=brand)):
        if number >= limit:
            break
        click.echo(_line(case))


@cases.command("show")
@click.argument("case_id")
@pass_context
def cases_show(ctx: CliContext, case_id: str) -> None:
    """One case with its history."""
    case = _store(ctx).get(case_id)
    click.echo(_line(case))
    click.echo(f"rule: {one_line(case.rule)}\nwhy: {one_line(case.reason)}")
    click.echo(f"SLA due: {case.sla_due_at:%Y-%m-%d %H:%M} UTC")
    click.echo(f"mentions: {one_line(', '.join(case.mention_ids))}")
    if case.tags:
        click.echo(f"tags: {one_line(', '.join(case.tags))}")
    if case.resolution:
        click.echo(f"resolution: {one_line(case.resolution)}")
    if case.merged_into:
        click.echo(f"merged into: {case.merged_into}")
    for event in case.history:
        extra = " ".join(x for x in (event.actor and f"by {event.actor}", event.note) if x)
        click.echo(f"  {event.at:%Y-%m-%d %H:%M:%S} {event.kind} {one_line(extra)}".rstrip())


@cases.command("assign")
@click.argument("case_id")
@click.option("--to", "assignee", default=None, help="The agent to hand the case to.")
@click.option("--team", default=None, help="The team to move the case to.")
@click.option("--by", "actor", default=None)
@pass_context
def cases_assign(
    ctx: CliContext, case_id: str, assignee: str | None, team: str | None, actor: str | None
) -> None:
    """Assign a case to an agent, a team, or both."""
    now = datetime.now(UTC)
    click.echo(_line(_store(ctx).assign(case_id, assignee, now, actor=actor, to_team=team)))


@cases.command("respond")
@click.argument("case_id")
@click.option("--by", "actor", default=None)
@click.option("--note", default=None)
@click.option("--take-over", is_flag=True, help="Take the case over from the agent who holds it.")
@pass_context
def cases_respond(
    ctx: CliContext, case_id: str, actor: str | None, note: str | None, take_over: bool
) -> None:
    """Record a response to the customer (the first sets the first response time). While
    another agent holds the case, it is refused unless --take-over."""
    case = _store(ctx).respond(
        case_id, datetime.now(UTC), actor=actor, note=note, take_over=take_over
    )
    click.echo(_line(case))


@cases.command("close")
@click.argument("case_id")
@click.option("--csat", type=click.IntRange(1, 5), default=None)
@click.option("--resolution", default=None, help="How it was resolved (e.g. refunded).")
@click.option("--by", "actor", default=None)
@pass_context
def cases_close(
    ctx: CliContext, case_id: str, csat: int | None, resolution: str | None, actor: str | None
) -> None:
    """Close a case, optionally with the customer's satisfaction score (1–5) and how it was
    resolved."""
    case = _store(ctx).close(
        case_id, datetime.now(UTC), csat=csat, actor=actor, resolution=resolution
    )
    click.echo(_line(case))


@click.command("report")
@click.option(
    "--since",
    "since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="Start (UTC; default: 7 days ago).",
)
@click.option(
    "--until",
    "until",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="End, exclusive (UTC; default: now).",
)
@click.option("--brand", default=None, help="One brand only (default: all).")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("var/report.html"),
    show_default=True,
    help="Where to write the HTML report with charts.",
)
@pass_context
def report(
    ctx: CliContext,
    since: datetime | None,
    until: datetime | None,
    brand: str | None,
    html_path: Path,
) -> None:
    """KPIs from case timestamps (first response, handle time, FCR, CSAT, SLA, volume and
    sentiment by source) as a table here and an HTML report with charts."""
    from alerts import (  # noqa: PLC0415
        kpi_report,
        render_table,
        write_report,
    )

    end = until.replace(tzinfo=UTC) if until else datetime.now(UTC)
    start = since.replace(tzinfo=UTC) if since else end - timedelta(days=7)
    if start >= end:
        raise click.BadParameter("--since must be before --until")
    client = wiring.elasticsearch_client(ctx.settings)
    figures = kpi_report(
        client,
        wiring.index_names(ctx.settings),
        wiring.case_store(ctx.settings, client),
        start=start,
        end=end,
        brand=brand,
    )
    click.echo(render_table(figures))
    written = write_report(figures, html_path)
    say(f"HTML report: {written}")
