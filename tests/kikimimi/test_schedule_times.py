"""Schedulers that elect their leader in Redis share each source's next run time: a leader
on another machine (another state directory) starts a source when the last leader said it
runs next, not at once; a leader whose own job store is stale follows Redis."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from config import Settings
from core.redis_boundary import redis_client
from kikimimi.schedule_times import ScheduleTimes
from kikimimi.scheduling import CrawlScheduler, job_id
from tests.conftest import free_port
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.slow]

HOUR = timedelta(hours=1)


def machine(tmp_path: Path, name: str, redis_url: str, prefix: str) -> tuple[Settings, Path]:
    """A scheduler's settings and configuration file with a state directory of its own: one
    hourly source that nothing answers for (its first crawl fails at once)."""
    raw = {
        "state_dir": str(tmp_path / name),
        "brands": [{"name": "Hoshi Mobile"}],
        "sources": [
            {
                "name": "hn",
                "type": "hackernews",
                "base_url": f"http://127.0.0.1:{free_port()}",
                "queries": ["hoshi mobile"],
                "interval_seconds": 3600,
            }
        ],
        "queue": {"backend": "redis"},
        "redis": {"url": redis_url, "key_prefix": prefix},
        "crawl": {"retries": 0},
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return Settings.model_validate(raw), path


def next_run_on_taking_over(tmp_path: Path, name: str, redis: RedisServer, prefix: str) -> datetime:
    """When a scheduler on machine ``name`` that starts leading runs the source first."""
    scheduler = CrawlScheduler(*machine(tmp_path, name, redis.url, prefix))
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job(job_id("hn"))
        assert job is not None and job.next_run_time is not None
        when: datetime = job.next_run_time
        return when
    finally:
        scheduler.shutdown(wait=True)


def test_a_leader_elsewhere_keeps_the_sources_rhythm(
    tmp_path: Path, redis_server: RedisServer, redis_prefix: str
) -> None:
    shared = ScheduleTimes(redis_client(redis_server.url), redis_prefix)
    first = CrawlScheduler(*machine(tmp_path, "a", redis_server.url, redis_prefix))
    started = datetime.now(UTC)
    first.start()  # never ran here or anywhere: the source is crawled at once
    deadline = time.monotonic() + 30
    while "hn" not in shared.load():
        assert time.monotonic() < deadline, "the first leader recorded no next run"
        time.sleep(0.1)
    recorded = shared.load()["hn"]
    assert started + HOUR <= recorded <= datetime.now(UTC) + HOUR
    first.shutdown(wait=True)

    taking_over = next_run_on_taking_over(tmp_path, "b", redis_server, redis_prefix)
    assert taking_over == recorded, "not crawled at once on taking over elsewhere"

    sooner = datetime.now(UTC) + timedelta(minutes=10)
    shared.record("hn", sooner)  # a later leader's time, which machine a has not seen
    taking_over = next_run_on_taking_over(tmp_path, "a", redis_server, redis_prefix)
    assert taking_over == sooner, "Redis, not the stale local job store"
    shared.close()
