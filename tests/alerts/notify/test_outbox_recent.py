"""``Outbox.recent``, each backend alike: the notices of one kind, newest first, one per
event however many channels it went to, whatever their delivery state (the web app's spike
alerts)."""

from __future__ import annotations

from datetime import UTC, datetime

from core import Notice
from tests.alerts.notify.outbox_stores import OutboxStore

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def notice(event: str, channel: str, kind: str = "spike") -> Notice:
    return Notice(
        key=f"{event}:{channel}", channel=channel, kind=kind, created_at=T0, subject=event, body=""
    )


def test_recent_lists_each_event_of_a_kind_once_newest_first(outbox_store: OutboxStore) -> None:
    with outbox_store.open() as outbox:
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
        assert outbox.recent("spike")[-1].channel == "hook"  # the first key of the event
        assert [n.subject for n in outbox.recent("feed")] == ["feed:x:1"]
        assert outbox.recent("case_opened") == []


def test_events_queued_at_the_same_time_come_in_key_order_however_many(
    outbox_store: OutboxStore,
) -> None:
    with outbox_store.open() as outbox:
        for at in (1.0, 2.0, 3.0):  # 400 events a time: reads of several pages cross ties
            outbox.enqueue([notice(f"spike:{at:.0f}:{n:03d}", "hook") for n in range(400)], now=at)
        newest = outbox.recent("spike", limit=1000)
    expected = [f"spike:{at}:{n:03d}" for at in (3, 2, 1) for n in range(400)][:1000]
    assert [n.subject for n in newest] == expected
