"""``kikimimi run`` sweeps for SLA breaches (issue 11, item 6): a case past its SLA without a
response is escalated to its channel once, across two runs of the real main job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.rules import CaseAction
from config.rules import CaseSettings
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author
from indexer.templates import install_templates
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import WebhookSink, _environment

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

ACTION = CaseAction(
    brand="Hoshi Mobile",
    priority="high",
    team="care",
    rule="own-complaint",
    reason="own-complaint: negative",
    do_not_market=False,
    notify=(),
)


def post(author: str, at: datetime) -> AnalyzedMention:
    return AnalyzedMention(
        source="hn",
        native_id=author,
        text="Hoshi Mobile never answers",
        published_at=at,
        collected_at=at,
        author=Author(id=author, handle=author),
    )


def test_the_main_job_escalates_a_late_case_once_across_two_runs(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    install_templates(es, index_names)
    store = CaseStore(es, index_names, CaseSettings())
    now = datetime.now(UTC)
    late = store.apply(ACTION, post("late", now - timedelta(hours=3)), now - timedelta(hours=3))
    on_time = store.apply(ACTION, post("on-time", now), now)
    store.refresh()
    sink = WebhookSink()
    with StandinServer(sink) as hook:
        job = _environment(
            tmp_path,
            elasticsearch_node.url,
            index_names.prefix,
            f"{hook.url}/hook",
            tmp_path / "unused.jsonl",
            extra={
                "sources": [],
                "alerting": {
                    "spikes": {"enabled": False},
                    "escalation": {"by_team": {"care": ["care"]}},
                },
            },
        )
        job.run("run", "--no-schedule", "--until-idle")
        job.run("run", "--no-schedule", "--until-idle")  # a restart: nothing more

    escalated = sink.of_kind("case_escalated")
    assert [(d["case_id"], d["channel"]) for d in escalated] == [(late.case.id, "care")]
    assert escalated[0]["subject"] == "[high] SLA breached: Hoshi Mobile case for late on hn"
    kinds = [event.kind for event in store.get(late.case.id).history]
    assert (kinds.count("sla_breached"), kinds.count("escalated")) == (1, 1)
    assert not store.get(on_time.case.id).sla_breached
