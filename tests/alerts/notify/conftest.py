"""Notices to send, with hostile post text, and a maker for numbered notices; the outbox
store of a test, once per backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.records import Author, IndexedMention, Notice, Priority
from tests.alerts.notify.outbox_stores import OutboxStore
from tests.redis_server import RedisServer

HOSTILE = (
    "<!channel> Hoshi Mobile is down again <https://evil.example/x|click here> & "
    '<script>alert("x")</script> @here'
)
NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)

MakeNotice = Callable[..., Notice]


def make_notice(
    number: int = 1,
    *,
    channel: str = "care",
    text: str = HOSTILE,
    priority: Priority | None = "high",
    url: str | None = "https://social.example/@angry/1",
) -> Notice:
    """Notice ``number`` for ``channel``: a case opened by a hostile post."""
    mention = IndexedMention(
        source="mastodon",
        native_id=f"post-{number}",
        url=url,
        text=text,
        author=Author(handle="@angry<b>user</b>", name="Angry & Loud"),
        published_at=NOW,
        collected_at=NOW,
    )
    return Notice(
        key=f"case-{number}:{mention.id}:{channel}",
        channel=channel,
        kind="case_opened",
        created_at=NOW,
        subject=f"[{priority}] Hoshi Mobile case opened: {mention.author.handle} on mastodon",
        body=f"Negative complaint.\n\n{text}",
        brand="Hoshi Mobile",
        priority=priority,
        team="care",
        case_id=f"case-{number}",
        url=url,
        mention=mention,
        facts={"rule": "own-brand-negative-complaint"},
    )


@pytest.fixture
def notice_factory() -> MakeNotice:
    return make_notice


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def outbox_store(request: pytest.FixtureRequest, tmp_path: Path) -> OutboxStore:
    """The test's outbox store, once per backend: a SQLite file, or keys of the session's
    Redis under a fresh prefix."""
    path = tmp_path / "outbox.sqlite3"
    if request.param == "sqlite":
        return OutboxStore("sqlite", path)
    server: RedisServer = request.getfixturevalue("redis_server")
    return OutboxStore("redis", path, server.url, request.getfixturevalue("redis_prefix"))
