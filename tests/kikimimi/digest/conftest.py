"""Fixtures of the digest tests on the real local Elasticsearch: the seeded stream of
``tests/indexer/trends/conftest.py`` (its figures are known: the week of 2026-11-08 against
the one before, Hoshi Mobile ours, Nami Telecom and Kaze Wireless competitors), settings whose
one audience covers that week (sent on Sundays at 09:00 UTC), an outbox holding spike alerts
and a few cases for the care KPIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

from alerts import Outbox
from alerts.notices import spike_notices
from alerts.spikes import SpikeAlert
from config import Settings
from core import Author, Case, IndexedMention, IndexNames
from indexer import install_templates
from kikimimi import wiring
from kikimimi.digest import DigestSchedule, DigestSources
from tests.conftest import RunningElasticsearch
from tests.indexer.trends.conftest import HOSHI, KAZE, NAMI, WEEK, seeded_mentions
from tests.kikimimi.web.elasticsearch_setup import es_config

FIRE = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
"""The Sunday the seeded week's digest is sent."""
SPIKE_END = WEEK + timedelta(days=2, hours=14)


def digest_settings(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    index_names: IndexNames,
    notifications: list[dict[str, Any]] | None = None,
    **audience: Any,
) -> Settings:
    """Settings with the three brands and one audience, ``weekly`` (Sundays 09:00 UTC)."""
    channels = notifications or [
        {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/unused"}
    ]
    return Settings.model_validate(
        {
            "state_dir": tmp_path / "var",
            "elasticsearch": es_config(elasticsearch_node, index_names),
            "brands": [{"name": HOSHI}],
            "competitors": [{"name": NAMI}, {"name": KAZE}],
            "notifications": channels,
            "digests": [
                {
                    "name": "weekly",
                    "channels": [c["name"] for c in channels],
                    "weekday": "sunday",
                    "time": "09:00",
                    **audience,
                }
            ],
        }
    )


@pytest.fixture
def settings(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> Settings:
    return digest_settings(tmp_path, elasticsearch_node, index_names)


def index_all(es: Elasticsearch, names: IndexNames, mentions: list[IndexedMention]) -> None:
    """``mentions`` indexed as the pipeline indexes them, searchable at once."""
    install_templates(es, names)
    actions = (
        {
            "_index": names.mention_index(m.published_at),
            "_id": m.id,
            "_source": m.model_dump(mode="json", exclude_none=True),
        }
        for m in mentions
    )
    helpers.bulk(es, actions, refresh=True)


def case(number: int, opened: datetime, *, brand: str = HOSHI, responded: bool) -> Case:
    """A case of ``brand`` opened at ``opened``, answered 30 minutes later or not."""
    return Case(
        id=f"case-{number}",
        mention_ids=[f"m{number}"],
        brand=brand,
        author=Author(handle=f"customer{number}"),
        rule="own-brand-negative",
        opened_at=opened,
        first_response_at=opened + timedelta(minutes=30) if responded else None,
        sla_due_at=opened + timedelta(hours=2),
    )


SEEDED_CASES = (
    case(1, WEEK + timedelta(days=1), responded=True),
    case(2, WEEK + timedelta(days=2), responded=True),
    case(3, WEEK + timedelta(days=3), responded=False),
    case(4, WEEK + timedelta(days=3), brand=NAMI, responded=True),
    case(5, WEEK - timedelta(days=3), responded=True),  # the week before
)


def spike(brand: str, end: datetime) -> SpikeAlert:
    return SpikeAlert(
        brand=brand,
        window_start=end - timedelta(hours=1),
        window_end=end,
        count=30,
        baseline=2.0,
        ratio=15.0,
        confirmed_windows=2,
        top_topics=[("outage", 25)],
        examples=[],
    )


@pytest.fixture
def seeded(es: Elasticsearch, index_names: IndexNames) -> IndexNames:
    """The seeded stream and :data:`SEEDED_CASES`, searchable."""
    index_all(es, index_names, seeded_mentions())
    for item in SEEDED_CASES:
        es.index(
            index=index_names.cases_index,
            id=item.id,
            document=item.model_dump(mode="json", exclude_none=True),
        )
    es.indices.refresh(index=index_names.cases_index)
    return index_names


@pytest.fixture
def outbox(settings: Settings) -> Iterator[Outbox]:
    """The settings' outbox with three spike alerts: Hoshi Mobile's of the week, one of the
    week before, and one of a brand no audience covers."""
    with wiring.outbox(settings) as box:
        alerts = [
            spike(HOSHI, SPIKE_END),
            spike(HOSHI, WEEK - timedelta(days=2)),
            spike("Other Co", SPIKE_END),
        ]
        box.enqueue(n for alert in alerts for n in spike_notices(alert, ["hook"], alert.window_end))
        yield box


@pytest.fixture
def sources(
    settings: Settings, es: Elasticsearch, seeded: IndexNames, outbox: Outbox
) -> DigestSources:
    return DigestSources.for_settings(settings, es, outbox)


@pytest.fixture
def schedule(settings: Settings) -> DigestSchedule:
    return DigestSchedule(settings.digests[0])
