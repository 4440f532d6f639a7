"""Fixtures of the feeds, spikes, mentions and dashboard tests (issue 11): the web app on
the real local Elasticsearch (a fresh index prefix per test) at a fixed time, two more
users (``pia``, a marketer of product, and ``cy``, an agent of billing), ``post`` to index
a mention forwarded to feeds, ``open_case`` to open a case as the pipeline does, and
``raise_spike`` to record a spike alert in the outbox as the main job does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from alerts import CaseStore, SqliteOutbox, spike_notices
from alerts.rules import CaseAction
from alerts.spikes import SpikeAlert
from config import Settings, outbox_path
from core import Author, BrandMatch, Case, IndexedMention, IndexNames, Sentiment
from kikimimi.accounts import Accounts, Role
from tests.conftest import RunningElasticsearch
from tests.kikimimi.web.conftest import FakeClock
from tests.kikimimi.web.elasticsearch_setup import (
    add_people,
    case_store,
    index_mention,
    web_settings,
)

pytestmark = pytest.mark.elasticsearch

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
MORE_PEOPLE: dict[str, tuple[Role, tuple[str, ...]]] = {
    "pia": (Role.MARKETER, ("product",)),
    "cy": (Role.AGENT, ("billing",)),
}
RULES: list[dict[str, Any]] = [
    {"name": "complaints", "open_case": True, "team": "care"},
    {"name": "bills", "open_case": True, "team": "billing"},
    {"name": "competitors", "feed": "marketing"},
    {"name": "features", "feed": "product"},
]
HOSTILE = "<img src=x onerror=alert(1)> <script>alert(2)</script>"

Post = Callable[..., IndexedMention]
OpenCase = Callable[..., Case]
RaiseSpike = Callable[..., SpikeAlert]


@pytest.fixture
def settings(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> Settings:
    return web_settings(tmp_path, elasticsearch_node, index_names, RULES)


@pytest.fixture(autouse=True)
def fixed_time(clock: FakeClock) -> None:
    clock.now = NOW


@pytest.fixture(autouse=True)
def more_people(accounts: Accounts) -> None:
    add_people(accounts, MORE_PEOPLE)


@pytest.fixture
def store(settings: Settings, es: Elasticsearch, index_names: IndexNames) -> CaseStore:
    return case_store(settings, es, index_names)


@pytest.fixture
def post(store: CaseStore, es: Elasticsearch, index_names: IndexNames) -> Post:
    """Index a mention (forwarded to ``feeds`` by ``rules``); searchable when this returns."""
    counter = iter(range(1, 1_000_000))

    def make(
        text: str = "Hoshi Mobile should add eSIM",
        *,
        feeds: tuple[str, ...] = ("product",),
        rules: tuple[str, ...] = ("features",),
        minutes_ago: int = 0,
        author: str = "u1",
        lang: str = "en",
        url: str | None = "https://social.example/p/1",
    ) -> IndexedMention:
        number = next(counter)
        published = NOW - timedelta(minutes=minutes_ago)
        mention = IndexedMention(
            source="bluesky",
            native_id=f"{index_names.prefix}-{number}",
            text=text,
            url=url,
            lang=lang,
            author=Author(id=author, handle=author, name=author),
            published_at=published,
            collected_at=published,
            brands=[BrandMatch(brand="Hoshi Mobile", role="own", tagged=False)],
            sentiment=Sentiment(
                label="neutral",
                score=0.8,
                probabilities={"negative": 0.1, "neutral": 0.8, "positive": 0.1},
                model="test",
            ),
            intent="question",
            topics=["esim"],
            rules=list(rules),
            feeds=list(feeds),
        )
        index_mention(es, index_names, mention)
        return mention

    return make


@pytest.fixture
def open_case(post: Post, store: CaseStore) -> OpenCase:
    """Index a post and open its author's case (``team``, ``priority``) ``minutes_ago``, as
    the pipeline does; the case is searchable when this returns."""
    authors = iter(range(1, 1_000_000))

    def make(
        *,
        team: str = "care",
        priority: str = "normal",
        minutes_ago: int = 0,
        text: str = "my bill is wrong",
    ) -> Case:
        mention = post(
            text,
            feeds=(),
            rules=("complaints",),
            minutes_ago=minutes_ago,
            author=f"a{next(authors)}",
        )
        action = CaseAction(
            brand="Hoshi Mobile",
            priority=priority,  # type: ignore[arg-type]
            team=team,
            rule="complaints" if team == "care" else "bills",
            reason="complaint: negative",
            do_not_market=False,
            notify=(),
        )
        case = store.apply(action, mention, NOW - timedelta(minutes=minutes_ago)).case
        store.refresh()
        return case

    return make


def record_spike(
    outbox_file: Path, brand: str = "Hoshi Mobile", *, count: int = 42, minutes_ago: int = 0
) -> SpikeAlert:
    """Record a spike alert in the outbox at ``outbox_file`` as the main job does (to two
    channels)."""
    end = NOW - timedelta(minutes=minutes_ago)
    alert = SpikeAlert(
        brand=brand,
        window_start=end - timedelta(hours=1),
        window_end=end,
        count=count,
        baseline=4.0,
        ratio=count / 4.0,
        confirmed_windows=2,
        top_topics=[("outage", 30), ("network", 12)],
        examples=[],
    )
    with SqliteOutbox(outbox_file) as outbox:
        outbox.enqueue(spike_notices(alert, ["care-webhook", "ops-mail"], end))
    return alert


@pytest.fixture
def raise_spike(settings: Settings) -> RaiseSpike:
    """:func:`record_spike` in the app's outbox."""

    def make(brand: str = "Hoshi Mobile", *, count: int = 42, minutes_ago: int = 0) -> SpikeAlert:
        return record_spike(outbox_path(settings), brand, count=count, minutes_ago=minutes_ago)

    return make
