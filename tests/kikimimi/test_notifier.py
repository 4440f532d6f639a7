"""The main job's notifier deletes old delivered notices on start, then hourly, not per pass;
Redis away pauses it with one log line, not a traceback a second."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.notify.outbox import Outbox
from alerts.notify.redis_outbox import RedisOutbox
from alerts.notify.sqlite_outbox import SqliteOutbox
from config import Settings, outbox_path
from core.records import Notice
from core.redis_boundary import redis_client
from kikimimi import main_job
from tests.conftest import MakeRedisServer

DAY = 86_400.0


def notice(key: str) -> Notice:
    return Notice(
        key=key, channel="care", kind="feed", created_at=datetime.now(UTC), subject=key, body=""
    )


class Accepting:
    name = "care"

    def send(self, notice: Notice) -> None:
        pass


class Recording:
    name = "care"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, notice: Notice) -> None:
        self.sent.append(notice.key)


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


@pytest.mark.redis
def test_redis_away_pauses_the_notifier_with_one_line_and_it_delivers_when_redis_is_back(
    make_redis_server: MakeRedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = make_redis_server(appendonly=True)
    settings = Settings.model_validate({"state_dir": str(tmp_path)})
    outbox = RedisOutbox(redis_client(server.url, timeout_seconds=1), "kk")
    outbox.enqueue([notice("before")])
    server.stop()
    channel = Recording()
    notifier = main_job._Notifier(settings, threading.Event(), outbox)
    with caplog.at_level(logging.INFO, logger="kikimimi"):
        for _ in range(3):  # three passes, as one each second while Redis is away
            notifier._pass(outbox, {"care": channel})
        lines = [r for r in caplog.records if r.name.startswith("kikimimi")]
        assert [r.levelno for r in lines] == [logging.WARNING]
        assert "notifier paused:" in lines[0].getMessage()
        assert "Redis is unavailable" in lines[0].getMessage()
        assert lines[0].exc_info is None, "no traceback for an outage"
        server.restart()
        notifier._pass(outbox, {"care": channel})
    assert channel.sent == ["before"]
    assert "notifier resumed" in caplog.records[-1].getMessage()
    outbox.close()
