"""The main job's digests: queued when the send time comes, caught up after a short outage of
the job, skipped (with a warning) when too late, retried when Elasticsearch fails."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from alerts import Outbox
from config import Settings
from kikimimi.digest import DigestSources, DigestSweeps
from kikimimi.digest.sweeps import RETRY_SECONDS
from tests.kikimimi.digest.conftest import FIRE

pytestmark = pytest.mark.elasticsearch

KEY = "digest:weekly:2026-11-08..2026-11-15:hook"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_queued_when_the_send_time_comes_then_next_week(
    settings: Settings, sources: DigestSources, outbox: Outbox
) -> None:
    clock = Clock(FIRE - timedelta(minutes=1))
    sweeps = DigestSweeps(settings, sources, clock)

    assert sweeps.run_when_due() == 0
    assert outbox.get(KEY) is None
    clock.now = FIRE
    assert sweeps.run_when_due() == 1
    assert outbox.get(KEY) is not None
    clock.now = FIRE + timedelta(days=7) - timedelta(seconds=1)
    assert sweeps.run_when_due() == 0
    clock.now = FIRE + timedelta(days=7)
    assert sweeps.run_when_due() == 1  # the next week's digest


def test_a_send_time_missed_briefly_is_caught_up_on_start(
    settings: Settings, sources: DigestSources, outbox: Outbox
) -> None:
    sweeps = DigestSweeps(settings, sources, Clock(FIRE + timedelta(hours=23)))

    assert sweeps.run_when_due() == 1
    assert outbox.get(KEY) is not None


def test_a_send_time_missed_for_longer_than_catch_up_is_skipped(
    settings: Settings, sources: DigestSources, outbox: Outbox
) -> None:
    clock = Clock(FIRE + timedelta(hours=25))
    sweeps = DigestSweeps(settings, sources, clock)

    assert sweeps.run_when_due() == 0
    assert outbox.get(KEY) is None


def test_a_failure_is_retried_until_the_catch_up_time_is_over(
    settings: Settings, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    down = Elasticsearch("http://127.0.0.1:9", request_timeout=2, max_retries=0)
    clock = Clock(FIRE)
    sweeps = DigestSweeps(settings, DigestSources.for_settings(settings, down, outbox), clock)

    assert sweeps.run_when_due() == 0
    assert "digest weekly of 2026-11-08..2026-11-15 failed" in caplog.text
    caplog.clear()
    clock.now = FIRE + timedelta(seconds=RETRY_SECONDS - 1)
    assert sweeps.run_when_due() == 0
    assert caplog.text == ""  # not tried again before the retry time
    clock.now = FIRE + timedelta(hours=25)
    assert sweeps.run_when_due() == 0
    assert "not sent within catch_up_hours; skipped" in caplog.text
    assert "kikimimi digest send --audience weekly --period-end 2026-11-15" in caplog.text
