"""Two ``kikimimi run --role scheduler`` processes sharing one Redis: one leads, and when it
is killed (``kill -9``, in the middle of a crawl) the other takes over within the lease;
the killed leader's crawl goes on to its end, and no source is ever crawled twice at once
(the one that takes over finds the source busy until that crawl is done)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from redis import Redis

from core.redis_boundary import redis_client
from core.redis_workers import RedisWorkerRegistry
from standins.hackernews import HackerNewsStandin
from standins.server import Reply, Request, StandinPost, StandinServer
from tests.conftest import free_port
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.slow]

LEASE_SECONDS = 2.0
ANSWER_SECONDS = 10.0
"""How long the source takes to answer a crawl's one request: the killed leader's crawl
still runs when the other scheduler takes over and tries to crawl the source."""


@dataclass
class SlowSource:
    """A Hacker News stand-in that answers after :data:`ANSWER_SECONDS` and counts the
    requests in flight (two at once: two crawls of the source at once)."""

    standin: HackerNewsStandin
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    most_in_flight: int = 0
    answered: int = 0
    asked: threading.Event = field(default_factory=threading.Event)

    def __call__(self, request: Request) -> Reply:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.asked.set()
        try:
            time.sleep(ANSWER_SECONDS)
            return self.standin(request)
        finally:
            with self.lock:
                self.in_flight -= 1
                self.answered += 1


@dataclass
class Scheduler:
    """One ``kikimimi run --role scheduler`` process and its stderr."""

    process: subprocess.Popen[bytes]
    log: Path

    def said(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Deployment:
    """The schedulers' configuration file, and the source they crawl."""

    config: Path
    source: SlowSource


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)


@pytest.fixture
def deployment(
    tmp_path: Path, redis_server: RedisServer, redis_prefix: str
) -> Iterator[Deployment]:
    """A scheduler's configuration: the slow source every second, the Redis queue."""
    now = datetime.now(UTC)
    posts = [StandinPost("1", "Hoshi Mobile is down again", now - timedelta(minutes=5))]
    source = SlowSource(HackerNewsStandin(posts))
    with StandinServer(source) as hn:
        settings = {
            "state_dir": str(tmp_path / "var"),
            "brands": [{"name": "Hoshi Mobile"}],
            "sources": [
                {
                    "name": "hn",
                    "type": "hackernews",
                    "base_url": hn.url,
                    "queries": ["hoshi mobile"],
                    "interval_seconds": 1,
                    "requests_per_second": 50,
                }
            ],
            "queue": {"backend": "redis", "worker_timeout_seconds": 3},
            "redis": {"url": redis_server.url, "key_prefix": redis_prefix},
            "scheduler": {"lease_seconds": LEASE_SECONDS},
            "crawl": {"retries": 0},
            # Nothing answers there: the leader's SLA sweeps fail with a warning, harmlessly.
            "elasticsearch": {"hosts": [f"http://127.0.0.1:{free_port()}"]},
            "alerting": {"spikes": {"enabled": False}},
        }
        path = tmp_path / "kikimimi.yaml"
        path.write_text(yaml.safe_dump(settings), encoding="utf-8")
        yield Deployment(path, source)


def start(config: Path, name: str) -> Scheduler:
    log = config.parent / f"{name}.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kikimimi",
                "--config",
                str(config),
                "run",
                "--role",
                "scheduler",
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return Scheduler(process, log)


def holder(redis: Redis, key: str) -> int | None:
    """The PID in the name of whoever holds the lease ``key`` (``host-pid-random``)."""
    owner = redis.get(key)
    return int(str(owner).rsplit("-", 2)[1]) if owner else None


def test_a_killed_leader_is_replaced_within_the_lease_and_no_source_is_crawled_twice_at_once(
    deployment: Deployment, redis_server: RedisServer, redis_prefix: str
) -> None:
    config, source = deployment.config, deployment.source
    redis = Redis.from_url(redis_server.url, decode_responses=True)
    leader_key, crawl_key = f"{redis_prefix}:scheduler:leader", f"{redis_prefix}:crawling:hn"
    first = start(config, "first")
    second: Scheduler | None = None
    try:
        wait_for(lambda: holder(redis, leader_key) == first.process.pid, 60, "the first leads")
        second = start(config, "second")
        wait_for(lambda: "standing by as scheduler" in second.said(), 60, "the second stands by")
        source.asked.clear()
        wait_for(source.asked.is_set, 60, "the leader's crawl asks the source")
        orphan = holder(redis, crawl_key)
        assert orphan is not None and orphan != first.process.pid, "the crawl is a process"

        first.process.kill()  # kill -9 in the middle of the crawl
        killed = time.monotonic()
        first.process.wait()
        wait_for(lambda: holder(redis, leader_key) == second.process.pid, 10, "take-over")
        took = time.monotonic() - killed
        print(f"the second leads {took:.2f} s after the kill (lease {LEASE_SECONDS} s)")
        assert took <= LEASE_SECONDS + 0.5, "within the lease"

        roles = RedisWorkerRegistry(redis_client(redis_server.url), redis_prefix)
        wait_for(
            lambda: [(w.role, w.pid) for w in roles.alive()] == [("scheduler", second.process.pid)],
            10,
            "the heartbeats: the new leader alive, the killed one gone",
        )
        roles.client.close()

        busy = "not crawled: another crawl of it runs now"
        wait_for(lambda: busy in second.said(), 30, "the new leader finds the source busy")
        answered = source.answered
        wait_for(lambda: source.answered >= answered + 2, 60, "the orphan's crawl, then its own")
        assert source.most_in_flight == 1, "never two crawls of the source at once"
        assert "leading as scheduler" in second.said()
        assert "scheduling 1 source(s): hn" in second.said()
    finally:
        for scheduler in (first, second):
            if scheduler is not None and scheduler.process.poll() is None:
                scheduler.process.send_signal(signal.SIGTERM)
                scheduler.process.wait(timeout=60)
        crawler = holder(redis, crawl_key)
        if crawler is not None:  # the orphan crawl, if still at it
            os.kill(crawler, signal.SIGKILL)
        redis.close()
    assert redis_server.answers()
