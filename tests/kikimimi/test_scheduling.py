"""The crawl schedule: short intervals against a stand-in, across a scheduler restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawlers.sqlite_state import SqliteCrawlState
from standins.hackernews import HackerNewsStandin
from standins.server import Reply, Request, StandinPost, StandinServer
from tests.crawlers.conftest import CrawlEnv

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.slow


def post(i: int) -> StandinPost:
    return StandinPost(
        str(47_000_000 + i),
        f"Hoshi Mobile scheduled post {i}",
        T0 + timedelta(minutes=i),
        author=f"u{i}",
    )


def runs(env: CrawlEnv, name: str) -> int:
    path = env.root / "var" / "crawl" / "state.sqlite"
    if not path.exists():
        return 0
    state = SqliteCrawlState(path)
    try:
        return len(state.runs(name, limit=1000))
    finally:
        state.close()


def wait_for_runs(env: CrawlEnv, name: str, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while runs(env, name) < at_least:
        assert time.monotonic() < deadline, f"{name}: fewer than {at_least} runs in {timeout} s"
        time.sleep(0.2)


def start_scheduler(env: CrawlEnv) -> subprocess.Popen[str]:
    env.write_config()
    return subprocess.Popen(
        [sys.executable, "-m", "kikimimi", "--config", str(env.config), "schedule"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return err


def test_scheduled_crawls_collect_each_mention_once_across_a_restart(tmp_path: Path) -> None:
    crawl_env = CrawlEnv(tmp_path)
    standin = HackerNewsStandin([post(i) for i in range(3)])
    with StandinServer(standin) as server:
        crawl_env.add_source(
            name="hn",
            type="hackernews",
            base_url=server.url,
            queries=["hoshi"],
            interval_seconds=2,
        )
        crawl_env.add_source(
            name="idle",
            type="hackernews",
            base_url=server.url,
            queries=["nothing"],
            interval_seconds=3600,
            enabled=False,
        )
        scheduler = start_scheduler(crawl_env)
        wait_for_runs(crawl_env, "hn", 1)
        standin.posts.extend(post(i) for i in range(3, 5))
        wait_for_runs(crawl_env, "hn", 3)
        log = stop(scheduler)
        assert "scheduling 1 source(s): hn" in log
        assert "hn: 1 page(s)" in log

        standin.posts.extend(post(i) for i in range(5, 8))
        before_restart = runs(crawl_env, "hn")
        scheduler = start_scheduler(crawl_env)
        wait_for_runs(crawl_env, "hn", before_restart + 2)
        stop(scheduler)

    counts = Counter(m.native_id for m in crawl_env.drain())
    assert counts == Counter({post(i).native_id: 1 for i in range(8)})
    assert runs(crawl_env, "idle") == 0


def test_a_crawl_that_skips_malformed_items_is_a_warning_in_the_log(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    good = {
        "native_id": "1",
        "text": "Hoshi Mobile billed me twice",
        "published_at": "2026-11-21T08:00:00Z",
    }
    (exports / "posts.jsonl").write_text(
        json.dumps(good) + "\n" + "{not json\n" + json.dumps({**good, "native_id": "2"}) + "\n",
        encoding="utf-8",
    )
    crawl_env = CrawlEnv(tmp_path)
    crawl_env.add_source(name="dump", type="import", path=str(exports), interval_seconds=3600)
    scheduler = start_scheduler(crawl_env)
    wait_for_runs(crawl_env, "dump", 1)
    log = stop(scheduler)
    warnings = [line for line in log.splitlines() if " WARNING kikimimi.scheduling" in line]
    assert any("dump: " in line and "1 malformed item(s) skipped" in line for line in warnings), log
    assert len(crawl_env.drain()) == 2


def test_a_stop_while_a_crawl_runs_and_the_next_comes_due_submits_nothing_after_it(
    tmp_path: Path,
) -> None:
    hackernews = HackerNewsStandin([post(0)])
    slow, answering = threading.Event(), threading.Event()

    def slow_once_asked(request: Request) -> Reply:
        if slow.is_set():
            answering.set()
            time.sleep(3)
        return hackernews(request)

    crawl_env = CrawlEnv(tmp_path)
    with StandinServer(slow_once_asked) as server:
        crawl_env.add_source(
            name="hn", type="hackernews", base_url=server.url, queries=["hoshi"], interval_seconds=1
        )
        scheduler = start_scheduler(crawl_env)
        wait_for_runs(crawl_env, "hn", 1)
        slow.set()
        assert answering.wait(timeout=30)
        log = stop(scheduler)  # waits for that crawl, while the next comes due
    assert "stopping: waiting for running crawls" in log
    assert "Error submitting job" not in log, log
    assert "Traceback" not in log, log
