"""``kikimimi status`` and ``kikimimi queue dead-letters`` with the queue in Redis: the dead
letters of a real Redis listed and retried, and a Redis that cannot be reached is one line
naming what failed (its password never shown), as processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.records import Mention
from core.redis_boundary import redis_client
from core.redis_mention_queue import RedisMentionQueue
from tests.conftest import MakeMentions, free_port
from tests.redis_server import RedisServer

PASSWORD = "queue-cli-password-42"


def kikimimi(tmp_path: Path, redis: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "k.yaml"
    nowhere = f"http://127.0.0.1:{free_port()}"
    document = {
        "state_dir": "var",
        "elasticsearch": {"hosts": [nowhere]},
        "queue": {"backend": "redis"},
        "redis": redis,
    }
    config.write_text(yaml.safe_dump(document))
    command = [sys.executable, "-m", "kikimimi", "--config", str(config), *args]
    return subprocess.run(
        command,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "KK_REDIS_PASSWORD": PASSWORD},
    )


def test_an_unreachable_redis_is_one_line_in_status_and_in_the_queue_commands(
    tmp_path: Path,
) -> None:
    redis = {
        "url": f"redis://127.0.0.1:{free_port()}/0",
        "password": {"$env": "KK_REDIS_PASSWORD"},
    }
    status = kikimimi(tmp_path, redis, "status")
    assert status.returncode == 3, status.stderr
    [line] = [line for line in status.stdout.splitlines() if line.startswith("queue:")]
    assert line.startswith(
        "queue:          could not count the mentions in the mention queue (Redis stream "
        "kikimimi:mentions): Redis is unavailable: ConnectionError: "
    ), line

    letters = kikimimi(tmp_path, redis, "queue", "dead-letters")
    assert letters.returncode == 1
    [line] = letters.stderr.splitlines()
    assert line.startswith("error: could not read the dead letters of the mention queue"), line
    assert PASSWORD not in status.stdout + status.stderr + letters.stdout + letters.stderr


@pytest.mark.redis
def test_dead_letters_in_redis_are_listed_and_retried(
    tmp_path: Path, redis_server: RedisServer, redis_prefix: str, make_mentions: MakeMentions
) -> None:
    queue = RedisMentionQueue(redis_client(redis_server.url), redis_prefix)
    mentions: list[Mention] = make_mentions(3)
    queue.put(mentions)
    claimed = queue.claim("pipeline", 10, 60)
    queue.dead_letter([(claimed[1].receipt, "NLP: ValueError: too long")])
    queue.ack([claimed[0].receipt, claimed[2].receipt])
    redis = {"url": redis_server.url, "key_prefix": redis_prefix}

    listed = kikimimi(tmp_path, redis, "queue", "dead-letters")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert line.endswith(f" hackernews/{mentions[1].native_id} NLP: ValueError: too long")
    assert "1 dead letter(s)" in listed.stderr

    retried = kikimimi(tmp_path, redis, "queue", "dead-letters", "--retry")
    assert retried.stdout.strip() == "1 mention(s) back in the queue"
    assert [c.mention for c in queue.claim("pipeline", 10, 60)] == [mentions[1]]
    queue.close()
