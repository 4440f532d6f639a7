"""The main job's notifier deletes old delivered notices on start, then hourly, not per pass."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.notify.outbox import Outbox
from alerts.notify.sqlite_outbox import SqliteOutbox
from config import Settings, outbox_path
from core.records import Notice
from kikimimi import main_job

DAY = 86_400.0


def notice(key: str) -> Notice:
    return Notice(
        key=key, channel="care", kind="feed", created_at=datetime.now(UTC), subject=key, body=""
    )


class Accepting:
    name = "care"

    def send(self, notice: Notice) -> None:
        pass


def delivered(outbox: Outbox, key: str, days_ago: float) -> None:
    at = time.time() - days_ago * DAY
    outbox.enqueue([notice(key)], now=at)
    assert outbox.deliver_due({"care": Accepting()}, now=at).delivered == 1


def test_delivered_notices_past_keep_delivered_days_are_deleted_once_on_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.model_validate(
        {"state_dir": str(tmp_path), "alerting": {"keep_delivered_days": 2}}
    )
    with SqliteOutbox(outbox_path(settings)) as outbox:
        delivered(outbox, "old", days_ago=3)
        delivered(outbox, "recent", days_ago=1)
    purges: list[float] = []
    purge = SqliteOutbox.purge_delivered

    def counted(self: SqliteOutbox, older_than_seconds: float, now: float | None = None) -> int:
        purges.append(older_than_seconds)
        return purge(self, older_than_seconds, now)

    monkeypatch.setattr(SqliteOutbox, "purge_delivered", counted)
    stop = threading.Event()
    with SqliteOutbox(outbox_path(settings)) as outbox:
        notifier = main_job._Notifier(settings, stop, outbox)
        notifier.start()
        try:
            for _ in range(12):  # delivery passes, woken as the pipeline would
                notifier.wake.set()
                time.sleep(0.2)
        finally:
            stop.set()
            notifier.wake.set()
            notifier.join(timeout=10)
    assert purges == [2 * DAY]  # on start only: the next one is due in an hour
    assert main_job.PURGE_EVERY_SECONDS == 3600
    with SqliteOutbox(outbox_path(settings)) as outbox:
        assert outbox.get("old") is None
        assert [e.key for e in outbox.delivered()] == ["recent"]
