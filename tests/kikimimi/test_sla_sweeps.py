"""The main job's SLA sweeps (issue 11, item 6) with a fake clock, the real Elasticsearch and
a real outbox: on their interval, the first at once; marked and escalated once across two
sweeps and a restart; an Elasticsearch outage is a warning, not the end of the run."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.notify.sqlite_outbox import SqliteOutbox
from alerts.rules import CaseAction
from config.settings import Settings
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author
from indexer.templates import install_templates
from kikimimi.sla_sweeps import SlaSweeps
from tests.conftest import RunningElasticsearch, free_port

pytestmark = pytest.mark.elasticsearch

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACTION = CaseAction(
    brand="Hoshi Mobile",
    priority="urgent",
    team="care",
    rule="complaint",
    reason="complaint",
    do_not_market=False,
    notify=(),
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def settings(tmp_path: Path, url: str, prefix: str) -> Settings:
    return Settings.model_validate(
        {
            "state_dir": str(tmp_path / "var"),
            "elasticsearch": {"hosts": [url], "index_prefix": prefix},
            "notifications": [{"name": "leads", "type": "webhook", "url": "http://127.0.0.1:9/x"}],
            "alerting": {
                "cases": {"sla_sweep_seconds": 60},
                "escalation": {"by_priority": {"urgent": ["leads"]}},
            },
        }
    )


def post(author: str) -> AnalyzedMention:
    return AnalyzedMention(
        source="hn",
        native_id=author,
        text="nobody answers",
        published_at=T0,
        collected_at=T0,
        author=Author(id=author, handle=author),
    )


@pytest.fixture
def config(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> Iterator[Settings]:
    install_templates(es, index_names)
    yield settings(tmp_path, elasticsearch_node.url, index_names.prefix)


def test_sweeps_run_on_their_interval_and_escalate_once_across_a_restart(
    config: Settings, es: Elasticsearch, index_names: IndexNames, tmp_path: Path
) -> None:
    store = CaseStore(es, index_names, config.alerting.cases)
    first = store.apply(ACTION, post("u1"), T0).case  # urgent: due at T0 + 30 min
    store.refresh()
    clock = Clock()
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite")
    sweeps = SlaSweeps.for_settings(config, es, outbox, clock)

    assert sweeps.run_when_due() == 0, "the first sweep runs at once: nothing is late yet"
    clock.advance(minutes=31)
    second = store.apply(ACTION, post("u2"), clock.now).case
    store.refresh()
    assert sweeps.run_when_due() == 1, "one notice: the first case, to leads"
    clock.advance(seconds=59)
    assert sweeps.run_when_due() is None, "not due: the interval is 60 s"
    clock.advance(seconds=1)
    store.refresh()
    assert sweeps.run_when_due() == 0, "a marked case is not escalated again"
    clock.advance(minutes=30)
    assert sweeps.run_when_due() == 1, "the second case, due meanwhile"
    outbox.close()

    with SqliteOutbox(tmp_path / "outbox.sqlite") as reopened:  # the main job restarted
        restarted = SlaSweeps.for_settings(config, es, reopened, clock)
        clock.advance(hours=1)
        store.refresh()
        assert restarted.run_when_due() == 0
        assert sorted(e.key for e in reopened.pending()) == sorted(
            [f"escalation:{first.id}:leads", f"escalation:{second.id}:leads"]
        )
    for case in (first, second):
        assert [e.kind for e in store.get(case.id).history].count("escalated") == 1


def test_elasticsearch_away_is_a_warning_and_the_next_interval_tries_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings(tmp_path, f"http://127.0.0.1:{free_port()}", "kkaway")
    client = Elasticsearch(str(config.elasticsearch.hosts[0]), request_timeout=2)
    clock = Clock()
    with SqliteOutbox(tmp_path / "outbox.sqlite") as outbox, caplog.at_level(logging.WARNING):
        sweeps = SlaSweeps.for_settings(config, client, outbox, clock)
        assert sweeps.run_when_due() is None
        assert sweeps.run_when_due() is None, "not retried before the interval"
        clock.advance(seconds=60)
        assert sweeps.run_when_due() is None
    warnings = [r.getMessage() for r in caplog.records if r.name == "kikimimi.sla_sweeps"]
    assert len(warnings) == 2
    assert warnings[0].startswith("SLA sweep failed: could not search cases")
    assert warnings[0].endswith("; next try in 60 s")
