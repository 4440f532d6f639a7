"""``kikimimi status``'s workers: with Redis, who is alive and who leads (no leader while
processes run needs attention); with SQLite, the parts running on the state directory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import Settings
from core.redis_boundary import redis_client
from core.redis_lease import RedisLease
from core.redis_workers import RedisWorkerRegistry, WorkerBeat
from kikimimi.cli import cli
from kikimimi.cli.workers_status import show_workers
from kikimimi.run_lock import holding_parts
from tests.conftest import MakeRedisServer
from tests.redis_server import RedisServer


def redis_settings(url: str, prefix: str, tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "state_dir": str(tmp_path),
            "queue": {"backend": "redis"},
            "redis": {"url": url, "key_prefix": prefix},
        }
    )


@pytest.mark.redis
def test_workers_alive_and_the_leader_or_none(
    redis_server: RedisServer,
    redis_prefix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = redis_settings(redis_server.url, redis_prefix, tmp_path)
    assert not show_workers(settings)
    assert "workers:        none alive" in capsys.readouterr().out

    registry = RedisWorkerRegistry(redis_client(redis_server.url), redis_prefix)
    now = time.time()
    registry.beat(WorkerBeat("host-7-abc", "pipeline", "host", 7, now - 65, now - 2, 1234))
    registry.beat(WorkerBeat("host-8-def", "scheduler", "host", 8, now - 5, now))
    assert show_workers(settings), "processes run, none leads: attention"
    out = capsys.readouterr().out
    assert "workers:        2 alive" in out
    assert "pipeline   host-7-abc  pid 7 on host, up 1m05s, last beat 2s ago, 1,234" in out
    assert "scheduler:      NONE LEADS" in out

    lease = RedisLease(registry.client, f"{redis_prefix}:scheduler:leader", "host-8-def", 60)
    assert lease.acquire()
    assert not show_workers(settings)
    out = capsys.readouterr().out
    assert "scheduler  host-8-def  pid 8 on host, up 5s, last beat 0s ago  leader" in out
    assert "scheduler:      host-8-def leads (its lease runs out in 60 s unless renewed)" in out
    registry.client.close()


@pytest.mark.redis
def test_redis_away_needs_attention(
    make_redis_server: MakeRedisServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = make_redis_server()
    server.stop()
    assert show_workers(redis_settings(server.url, "kk", tmp_path))
    assert "Redis is unavailable" in capsys.readouterr().out


def test_with_sqlite_the_parts_running_on_the_state_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.model_validate({"state_dir": str(tmp_path)})
    assert not show_workers(settings)
    assert "no kikimimi run on this state directory" in capsys.readouterr().out
    with holding_parts(settings, ["pipeline", "notifier"]):
        assert not show_workers(settings)
    out = capsys.readouterr().out
    assert "workers:        pipeline (pid " in out and "notifier (pid " in out


@pytest.mark.parametrize("role", ["scheduler", "web"])
def test_roles_with_nothing_to_drain_refuse_until_idle(role: str) -> None:
    result = CliRunner().invoke(cli, ["run", "--role", role, "--until-idle"])
    assert result.exit_code == 2
    assert f"the {role} role has nothing to drain" in result.output
