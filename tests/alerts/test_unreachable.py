"""Every public entry of the alerts stage that talks to Elasticsearch raises Kikimimi's error
when the cluster is unreachable, naming what it was doing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.inbox import CaseQuery
from alerts.kpi_queries import kpi_report
from alerts.rules import CaseAction
from alerts.spike_state import FileSpikeState
from alerts.spikes import SpikeDetector
from config.rules import CaseSettings, SpikeSettings
from core.errors import ElasticsearchUnavailableError
from core.index_names import IndexNames
from core.records import Author, Mention
from tests.conftest import free_port

NAMES = IndexNames("kktest-down")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACTION = CaseAction(
    brand="Hoshi Mobile",
    priority="high",
    team="care",
    rule="complaint",
    reason="complaint: negative",
    do_not_market=False,
    notify=(),
)
MENTION = Mention(
    source="hn",
    native_id="1",
    text="down again",
    published_at=NOW,
    collected_at=NOW,
    author=Author(id="u1", handle="u1"),
)


@pytest.fixture
def down() -> Iterator[Elasticsearch]:
    """A client for a port where nothing listens."""
    client = Elasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    yield client
    client.close()


def cases(es: Elasticsearch) -> CaseStore:
    return CaseStore(es, NAMES, CaseSettings())


ENTRIES: dict[str, Callable[[Elasticsearch, Path], Any]] = {
    "put a mention into its case": lambda es, _: cases(es).apply(ACTION, MENTION, NOW),
    "put mentions into their cases": lambda es, _: cases(es).apply_batch([(ACTION, MENTION)], NOW),
    "read a case": lambda es, _: cases(es).get("case-1"),
    "assign a case": lambda es, _: cases(es).assign("case-1", "ben", NOW),
    "record a response to a case": lambda es, _: cases(es).respond("case-1", NOW),
    "close a case": lambda es, _: cases(es).close("case-1", NOW),
    "flag SLA breaches": lambda es, _: cases(es).mark_sla_breaches(NOW),
    "claim a case": lambda es, _: cases(es).claim("case-1", "ben", NOW),
    "add a note to a case": lambda es, _: cases(es).note("case-1", "called", NOW),
    "tag a case": lambda es, _: cases(es).tag("case-1", "refund", NOW),
    "untag a case": lambda es, _: cases(es).untag("case-1", "refund", NOW),
    "change a case's priority": lambda es, _: cases(es).set_priority("case-1", "low", NOW),
    "merge two cases": lambda es, _: cases(es).merge("case-1", "case-2", NOW),
    "mark an SLA breach": lambda es, _: cases(es).mark_sla_breach("case-1", NOW),
    "list the inbox": lambda es, _: cases(es).inbox(CaseQuery()),
    "find changed cases": lambda es, _: cases(es).changed_since(NOW),
    "find an author's cases": lambda es, _: cases(es).cases_of_author("hn:u1"),
    "search cases": lambda es, _: list(cases(es).search(status=["open"])),
    "count open cases": lambda es, _: cases(es).count_open(),
    "refresh the cases index": lambda es, _: cases(es).refresh(),
    "evaluate spike alerts": lambda es, tmp: SpikeDetector(
        es, NAMES, SpikeSettings(), ["Hoshi Mobile"], FileSpikeState(tmp / "spikes.json")
    ).evaluate(NOW),
    "compute the KPIs": lambda es, _: kpi_report(
        es, NAMES, cases(es), start=NOW - timedelta(days=7), end=NOW
    ),
}


# entries whose first request is made by another entry name that one's operation
FIRST_REQUEST_BY = {
    "flag SLA breaches": "search cases",
    "compute the KPIs": "search cases",
}


@pytest.mark.parametrize("entry", ENTRIES)
def test_an_unreachable_cluster_raises_the_projects_error(
    down: Elasticsearch, tmp_path: Path, entry: str
) -> None:
    with pytest.raises(ElasticsearchUnavailableError) as raised:
        ENTRIES[entry](down, tmp_path)
    assert raised.value.operation == FIRST_REQUEST_BY.get(entry, entry)
    assert "Connection" in raised.value.cause and raised.value.status is None
