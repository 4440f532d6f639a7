"""The outbox the settings choose: the SQLite file of the state directory by default, Redis
keys under ``redis.key_prefix`` with ``outbox.backend: redis``; either with the alerting
settings' backoff and the notifier's lease. The spike detector's state: in Redis where the
scheduler leader is elected there."""

from __future__ import annotations

from pathlib import Path

from alerts import FileSpikeState, RedisOutbox, RedisSpikeState, SqliteOutbox
from config import Settings, outbox_path, spike_state_path
from kikimimi import wiring

ALERTING = {"retry_seconds": 7, "max_retry_seconds": 600}


def test_the_outbox_is_the_sqlite_file_of_the_state_directory_by_default(tmp_path: Path) -> None:
    settings = Settings.model_validate({"state_dir": str(tmp_path), "alerting": ALERTING})
    with wiring.outbox(settings) as outbox:
        assert isinstance(outbox, SqliteOutbox)
        assert outbox.path == outbox_path(settings)
        assert (outbox.base_backoff_seconds, outbox.max_backoff_seconds) == (7, 600)
        assert outbox.lease_seconds == wiring.OUTBOX_LEASE_SECONDS


def test_the_outbox_in_redis(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "state_dir": str(tmp_path),
            "alerting": ALERTING,
            "outbox": {"backend": "redis"},
            "redis": {"url": "redis://cache.example:6380/2", "key_prefix": "brand-a"},
        }
    )
    outbox = wiring.outbox(settings)  # nothing connects before the first command
    assert isinstance(outbox, RedisOutbox)
    assert (outbox.keys, outbox.base_backoff_seconds, outbox.max_backoff_seconds) == (
        "brand-a:outbox",
        7,
        600,
    )
    assert outbox.client.connection_pool.connection_kwargs["host"] == "cache.example"
    assert not outbox_path(settings).exists()
    outbox.close()


def test_the_spike_state_follows_the_scheduler_election(tmp_path: Path) -> None:
    local = Settings.model_validate({"state_dir": str(tmp_path)})
    state = wiring.spike_state(local)
    assert isinstance(state, FileSpikeState) and state.path == spike_state_path(local)
    shared = Settings.model_validate(
        {
            "state_dir": str(tmp_path),
            "queue": {"backend": "redis"},
            "redis": {"url": "redis://cache.example:6380/2", "key_prefix": "brand-a"},
        }
    )
    state = wiring.spike_state(shared)  # nothing connects before the first command
    assert isinstance(state, RedisSpikeState) and state.key == "brand-a:spikes:state"
    assert state.client.connection_pool.connection_kwargs["host"] == "cache.example"
