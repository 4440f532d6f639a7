"""Fixtures of the case work tests (issue 11): the web app on the real local Elasticsearch
(a fresh index prefix per test), two more agents (``bo`` of care, ``cy`` of billing), and
``open_case`` to index a post and open its case as the pipeline does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from alerts import CaseStore
from alerts.rules import CaseAction
from config import Settings, load_settings, users_path
from core import Author, Case, IndexedMention, IndexNames, Sentiment
from kikimimi.accounts import Accounts, Role
from tests.conftest import RunningElasticsearch
from tests.kikimimi.accounts.conftest import cheap_hasher
from tests.kikimimi.web.conftest import FakeClock, RunningWeb, start_web
from tests.kikimimi.web.elasticsearch_setup import (
    add_people,
    case_store,
    es_config,
    index_mention,
    web_settings,
)

pytestmark = pytest.mark.elasticsearch

MORE_PEOPLE: dict[str, tuple[Role, tuple[str, ...]]] = {
    "bo": (Role.AGENT, ("care",)),
    "cy": (Role.AGENT, ("billing",)),
}
RULES: list[dict[str, Any]] = [
    {"name": "complaints", "open_case": True, "team": "care"},
    {"name": "bills", "open_case": True, "team": "billing"},
]
HOSTILE = "<img src=x onerror=alert(1)> <script>alert(2)</script>"

OpenCase = Callable[..., Case]


@pytest.fixture
def settings(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> Settings:
    return web_settings(tmp_path, elasticsearch_node, index_names, RULES)


@pytest.fixture(autouse=True)
def more_people(accounts: Accounts) -> None:
    add_people(accounts, MORE_PEOPLE)


@pytest.fixture
def store(settings: Settings, es: Elasticsearch, index_names: IndexNames) -> CaseStore:
    return case_store(settings, es, index_names)


@pytest.fixture
def open_case(
    store: CaseStore, es: Elasticsearch, index_names: IndexNames, clock: FakeClock
) -> OpenCase:
    """Index a post and open (or join) its author's case, as the pipeline does; the case is
    searchable when this returns."""
    counter = iter(range(1, 1_000_000))

    def make(
        *,
        team: str = "care",
        text: str = "my bill is wrong",
        author: str = "u1",
        name: str | None = None,
        priority: str = "normal",
        lang: str = "en",
        tagged: bool = False,
        brand: str = "Hoshi Mobile",
        url: str | None = "https://social.example/p/1",
        minutes_ago: int = 0,
        using: CaseStore | None = None,
    ) -> Case:
        number = next(counter)
        now = clock.now - timedelta(minutes=minutes_ago)
        mention = IndexedMention(
            source="bluesky",
            native_id=f"{index_names.prefix}-{number}",
            text=text,
            url=url,
            lang=lang,
            author=Author(id=author, handle=author, name=name or author, followers=1200),
            published_at=now,
            collected_at=now,
            sentiment=Sentiment(
                label="negative",
                score=0.91,
                probabilities={"negative": 0.91, "neutral": 0.06, "positive": 0.03},
                model="test",
            ),
            intent="complaint",
            topics=["billing"],
            vip=author.startswith("vip"),
        )
        index_mention(es, index_names, mention)
        action = CaseAction(
            brand=brand,
            priority=priority,  # type: ignore[arg-type]
            team=team,
            rule="complaints" if team == "care" else "bills",
            reason="complaint: negative",
            do_not_market=True,
            notify=(),
            lang=lang,
            tagged=tagged,
        )
        case = (using or store).apply(action, mention, now).case
        store.refresh()
        return case

    return make


@pytest.fixture
def live_web(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    index_names: IndexNames,
    store: CaseStore,
    clock: FakeClock,
) -> Iterator[RunningWeb]:
    """``kikimimi web`` on the test's indices; cases are written at the real time of its start
    (a test writing cases for a page or stream opened since sets ``clock.now`` again: a
    stream starts at the time of its page and looks back only
    :data:`kikimimi.web.casework.live.LOOKBACK`)."""
    clock.now = datetime.now(UTC)
    directory = tmp_path / "web"
    directory.mkdir()
    elasticsearch = es_config(elasticsearch_node, index_names)
    running = start_web(directory, {"elasticsearch": elasticsearch, "rules": RULES})
    yield running
    running.stop()


def token_of(server: RunningWeb, name: str) -> str:
    with Accounts(users_path(load_settings(server.config)), hasher=cheap_hasher()) as accounts:
        return accounts.issue_token(name).secret
