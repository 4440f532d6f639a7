"""``kikimimi demo``: the whole main job, offline, on the bundled sample stream.

1. starts local stand-ins of seven sources serving the sample (moved to the present, so
   the Hoshi Mobile outage is happening now) and a webhook sink;
2. writes a demo configuration next to the state (``<state_dir>/demo/``): the configured
   brands, NLP settings and rules, the stand-ins as sources, the sink as the channel;
3. runs ``kikimimi run`` (scheduler, crawls in subprocesses, NLP, indexing, rules, cases,
   outbox) against the configured Elasticsearch until every source was crawled twice and
   all is processed;
4. plays a care team answering and closing some cases (timestamps are real, so the KPIs
   are computed, not typed in), then prints what happened and writes an HTML report;
5. creates two web app users in the demo's state (a lead and an agent, with the demo-only
   password :data:`DEMO_PASSWORD`) and prints how to open ``kikimimi web`` on its data.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from elasticsearch import Elasticsearch

from alerts import KpiReport, kpi_report, render_table, write_report
from config import (
    Settings,
    demo_dir,
    load_settings,
    local_node_dir,
    mention_queue,
    users_path,
)
from core import Case, Notice, elasticsearch_errors, one_line
from crawlers import open_crawl_state
from kikimimi import wiring
from kikimimi.accounts import Accounts, Role
from kikimimi.demo.sources import APP_ID, MASTODON_TOKEN, WEBHOOK_SECRET, DemoSources
from kikimimi.demo.stream import demo_posts
from kikimimi.main_job import RunOptions, run_main_job

__all__ = [
    "DEMO_PASSWORD",
    "DemoSummary",
    "DemoUser",
    "create_demo_users",
    "render",
    "run_demo",
    "web_hint",
]

DEMO_PREFIX = "kikimimi-demo"
CRAWLS_PER_SOURCE = 2
MAX_SECONDS = 300.0
REPORT_DAYS = 14
DEMO_PASSWORD = "kikimimi-demo"
"""The password of the demo's web users: the demo's state is throwaway, never a real
install's."""


@dataclass(frozen=True)
class DemoUser:
    """A web app user the demo created."""

    name: str
    role: Role
    teams: tuple[str, ...]


@dataclass(frozen=True)
class DemoSummary:
    """What the demo did and found."""

    seconds: float
    mentions: int
    by_source: dict[str, Counter[str]]
    cases: list[Case]
    notices: list[Notice]
    kpis: KpiReport
    report_path: Path
    crawls: dict[str, int]
    config_path: Path
    users: list[DemoUser]


def run_demo(settings: Settings, say: Callable[[str], None]) -> DemoSummary:
    """Run the demo; ``settings`` gives brands, rules, NLP and Elasticsearch."""
    workspace = demo_dir(settings).resolve()
    if workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True)
    started = time.monotonic()
    with DemoSources(demo_posts(datetime.now(UTC))) as sources:
        config = _write_config(settings, workspace, sources.urls)
        demo_settings = load_settings(config)
        client = wiring.prepare_elasticsearch(demo_settings, say)
        _delete_demo_indices(client)
        wiring.install_index_templates(demo_settings, client)
        say(f"stand-ins on 127.0.0.1 for {len(sources.urls) - 1} sources; running the main job")
        state = open_crawl_state(demo_settings)
        queue = mention_queue(demo_settings)

        def done() -> bool:
            crawled = all(
                len(state.runs(s.name, limit=CRAWLS_PER_SOURCE)) >= CRAWLS_PER_SOURCE
                for s in demo_settings.sources
            )
            return crawled and sources.streamed.is_set() and queue.depth() == 0

        options = RunOptions(duration_seconds=MAX_SECONDS, stop_when=done, batch_size=64)
        run_main_job(demo_settings, config, options, say)
        crawls = {s.name: len(state.runs(s.name, limit=100)) for s in demo_settings.sources}
        state.close()
        queue.close()
        _deliver_remaining(demo_settings)
        cases = _play_care_team(demo_settings, client)
        names = wiring.index_names(demo_settings)
        _refresh(client, names.prefix)
        now = datetime.now(UTC)
        kpis = kpi_report(
            client,
            names,
            wiring.case_store(demo_settings, client),
            start=now - timedelta(days=30),
            end=now + timedelta(minutes=1),
        )
        report_path = write_report(kpis, workspace / "report.html", title="Kikimimi demo")
        return DemoSummary(
            seconds=time.monotonic() - started,
            mentions=_count(client, names.mentions_alias),
            by_source=_by_source(client, names.mentions_alias),
            cases=cases,
            notices=list(sources.sink.deliveries.values()),
            kpis=kpis,
            report_path=report_path,
            crawls=crawls,
            config_path=config,
            users=create_demo_users(demo_settings),
        )


def _write_config(settings: Settings, workspace: Path, urls: dict[str, str]) -> Path:
    """The demo's own configuration: the stand-ins' made-up credentials are written into it
    as they are (the file is throwaway), so ``kikimimi web`` and other commands can read it
    after the demo without any environment."""
    dump = settings.model_dump(mode="json", exclude_none=True)
    es = dump["elasticsearch"]
    es["index_prefix"] = DEMO_PREFIX
    es["local"]["directory"] = str(local_node_dir(settings))
    es.pop("api_key", None)
    es.pop("password", None)
    channel = {
        "name": "care-webhook",
        "type": "webhook",
        "url": f"{urls['webhook']}/hooks/kikimimi",
        "secret": WEBHOOK_SECRET,
    }
    rules = [_notify(rule, "care-webhook") for rule in dump["rules"]]
    spikes = {**dump["alerting"]["spikes"], "min_count": 5, "evaluate_every_seconds": 3}
    spikes["notify"] = ["care-webhook"]
    escalation = {
        by: {key: ["care-webhook"] for key in names}
        for by, names in dump["alerting"]["escalation"].items()
    }
    vips = [*dump["alerting"]["vip_authors"], *_vip_dids(settings)]
    every = 8
    document: dict[str, Any] = {
        "state_dir": str(workspace / "state"),
        "brands": dump["brands"],
        "competitors": dump["competitors"],
        "nlp": {k: v for k, v in dump["nlp"].items() if k != "model"},
        "elasticsearch": es,
        "notifications": [channel],
        "rules": rules,
        "alerting": {
            **dump["alerting"],
            "vip_authors": vips,
            "spikes": spikes,
            "escalation": escalation,
        },
        "crawl": {"backoff_seconds": 0.5},
        "sources": [
            {"name": "hn", "type": "hackernews", "base_url": urls["hackernews"]},
            {
                "name": "mastodon",
                "type": "mastodon",
                "base_url": urls["mastodon"],
                "token": MASTODON_TOKEN,
            },
            {"name": "forum", "type": "discourse", "base_url": urls["discourse"]},
            {"name": "news", "type": "news", "base_url": urls["news"], "interval_seconds": 60},
            {
                "name": "appstore",
                "type": "appstore",
                "base_url": urls["appstore"],
                "app_ids": [APP_ID],
                "countries": ["us", "jp"],
            },
            {"name": "stackexchange", "type": "stackexchange", "base_url": urls["stackexchange"]},
            {
                "name": "bluesky",
                "type": "bluesky",
                "jetstream_url": urls["bluesky"],
                "session_seconds": 12,
            },
        ],
    }
    if settings.nlp.model is not None:
        document["nlp"]["model"] = str(settings.nlp.model)
    for source in document["sources"]:
        source.setdefault("interval_seconds", every)
        source["requests_per_second"] = 20
    path = workspace / "kikimimi.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _notify(rule: dict[str, Any], channel: str) -> dict[str, Any]:
    return {**rule, "notify": [channel] if rule.get("notify") else []}


def _vip_dids(settings: Settings) -> list[str]:
    """The firehose knows authors by DID: the sample's DIDs of the configured VIP handles."""
    from kikimimi.demo.stream import sample_mentions  # noqa: PLC0415

    vips = {v.lstrip("@").casefold() for v in settings.alerting.vip_authors}
    return sorted(
        {
            m.author.id
            for m in sample_mentions()
            if m.author.id and (m.author.handle or "").casefold() in vips
        }
    )


@elasticsearch_errors("refresh the demo's indices")
def _refresh(client: Elasticsearch, prefix: str) -> None:
    client.indices.refresh(index=f"{prefix}-*")


@elasticsearch_errors("count the demo's mentions")
def _count(client: Elasticsearch, alias: str) -> int:
    return int(client.count(index=alias)["count"])


@elasticsearch_errors("clear the demo's indices")
def _delete_demo_indices(client: Elasticsearch) -> None:
    indices = list(client.indices.get(index=f"{DEMO_PREFIX}-*", expand_wildcards="all"))
    if indices:
        client.indices.delete(index=",".join(indices))


def _deliver_remaining(settings: Settings) -> None:
    outbox = wiring.outbox(settings)
    try:
        channels = wiring.notification_channels(settings)
        for _ in range(10):
            if outbox.counts().pending == 0:
                break
            outbox.deliver_due(channels)
            time.sleep(0.5)
    finally:
        outbox.close()


def _play_care_team(settings: Settings, client: Elasticsearch) -> list[Case]:
    """Agents pick up the cases: assign all, answer most, close some with a CSAT score."""
    store = wiring.case_store(settings, client)
    store.refresh()
    cases = sorted(store.search(), key=lambda c: c.opened_at)
    for number, case in enumerate(cases):
        agent = ("aiko", "ben", "chika")[number % 3]
        store.assign(case.id, agent, datetime.now(UTC), actor="lead")
        if number % 4 == 3:
            continue  # still waiting for an answer
        store.respond(case.id, datetime.now(UTC), actor=agent, note="replied on the source")
        if number % 2 == 0:
            store.close(case.id, datetime.now(UTC), csat=(5, 4, 3)[number % 3], actor=agent)
    store.refresh()
    return sorted(store.search(), key=lambda c: c.opened_at)


def create_demo_users(settings: Settings) -> list[DemoUser]:
    """A lead of every team the rules name (cases and feeds) and an agent of the case
    teams, both with :data:`DEMO_PASSWORD`, in the (demo) state directory."""
    case_teams = sorted({rule.team for rule in settings.rules if rule.team})
    feed_teams = {rule.feed for rule in settings.rules if rule.feed}
    users = [
        DemoUser("demo-lead", Role.LEAD, tuple(sorted({*case_teams, *feed_teams}))),
        DemoUser("demo-agent", Role.AGENT, tuple(case_teams)),
    ]
    with Accounts(users_path(settings)) as accounts:
        for user in users:
            accounts.add_user(user.name, DEMO_PASSWORD, user.role, user.teams)
    return users


def web_hint(config_path: Path, users: Iterable[DemoUser]) -> list[str]:
    """How to open the web app on the demo's data, and as whom."""
    lines = [
        "",
        "Open the web app on the demo's data (Ctrl-C stops it):",
        f"  .venv/bin/kikimimi --config {config_path} web",
        "  then http://127.0.0.1:8080 and sign in as",
    ]
    lines += [
        f"    {user.name} ({user.role}, teams {', '.join(user.teams)}), password {DEMO_PASSWORD}"
        for user in users
    ]
    return lines


@elasticsearch_errors("count the demo's mentions by source")
def _by_source(client: Elasticsearch, index: str) -> dict[str, Counter[str]]:
    response = client.search(
        index=index,
        size=0,
        aggs={
            "sources": {
                "terms": {"field": "source", "size": 50},
                "aggs": {"labels": {"terms": {"field": "sentiment.label", "size": 5}}},
            }
        },
    )
    return {
        str(s["key"]): Counter({str(b["key"]): int(b["doc_count"]) for b in s["labels"]["buckets"]})
        for s in response["aggregations"]["sources"]["buckets"]
    }


def render(summary: DemoSummary) -> str:
    """The summary as the lines the demo prints (what came from posts made harmless for the
    terminal)."""
    lines = [f"Kikimimi demo — {summary.mentions} mentions in {summary.seconds:.0f} s", ""]
    lines.append("Mentions by source (negative / neutral / positive):")
    for source, labels in sorted(summary.by_source.items()):
        lines.append(
            f"  {source:<14} {sum(labels.values()):>3}   "
            f"{labels['negative']:>3} / {labels['neutral']:>3} / {labels['positive']:>3}"
        )
    lines.append("crawls per source: " + ", ".join(f"{k} {v}" for k, v in summary.crawls.items()))
    lines += ["", f"Cases opened: {len(summary.cases)}"]
    for case in summary.cases:
        who = one_line(case.author.handle or case.author.name or case.author.id or "") or "?"
        lines.append(
            f"  [{case.priority:<6}] {case.team or '-':<10} {case.brand:<13} {who[:30]:<30} "
            f"{len(case.mention_ids)} post(s), {case.status}"
        )
        lines.append(f"           why: {_short(case.reason)}")
    spikes = [n for n in summary.notices if n.kind == "spike"]
    lines += ["", f"Spike alerts: {len(spikes)}"]
    for notice in spikes:
        lines.append(f"  {one_line(notice.subject)}")
        lines.append(f"    {_short(notice.body.splitlines()[0], 240)}")
    kinds = Counter(n.kind for n in summary.notices)
    lines += [
        "",
        "Notifications delivered to the local webhook: "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
    ]
    lines += _feeds(summary.notices)
    lines += [
        "",
        "KPIs (care team actions in this demo are simulated):",
        render_table(summary.kpis),
    ]
    lines.append(f"HTML report: {summary.report_path}")
    lines += web_hint(summary.config_path, summary.users)
    return "\n".join(lines)


def _feeds(notices: Iterable[Notice]) -> list[str]:
    feeds = [n for n in notices if n.kind == "feed"]
    if not feeds:
        return []
    lines = ["Forwarded to team feeds (no case):"]
    lines += [f"  {one_line(n.subject)}" for n in feeds[:8]]
    if len(feeds) > 8:
        lines.append(f"  … and {len(feeds) - 8} more")
    return lines


def _short(text: str, width: int = 150) -> str:
    flat = one_line(text)
    return flat if len(flat) <= width else flat[: width - 1] + "…"
