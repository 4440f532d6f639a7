"""``Outbox.recent``: the notices of one kind, newest first, one per event however many
channels it went to, whatever their delivery state (the web app's spike alerts)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alerts import Outbox
from core import Notice

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def notice(event: str, channel: str, kind: str = "spike") -> Notice:
    return Notice(
        key=f"{event}:{channel}", channel=channel, kind=kind, created_at=T0, subject=event, body=""
    )


def test_recent_lists_each_event_of_a_kind_once_newest_first(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        outbox.enqueue([notice("spike:a:1", "hook"), notice("spike:a:1", "mail")], now=1.0)
        outbox.enqueue([notice("feed:x:1", "hook", kind="feed")], now=2.0)
        outbox.enqueue([notice("spike:b:2", "hook"), notice("spike:b:2", "mail")], now=3.0)
        outbox.enqueue([notice("spike:c:3", "hook")], now=4.0)

        assert [n.subject for n in outbox.recent("spike")] == [
            "spike:c:3",
            "spike:b:2",
            "spike:a:1",
        ]
        assert [n.subject for n in outbox.recent("spike", limit=2)] == ["spike:c:3", "spike:b:2"]
        assert [n.subject for n in outbox.recent("feed")] == ["feed:x:1"]
        assert outbox.recent("case_opened") == []
