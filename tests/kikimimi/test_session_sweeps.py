"""The main job removes expired browser sessions from the users file: on its interval (the
first at once), as long as the config's ``web`` section says sessions last; no users file is
nothing to do (none is made); a file it cannot use is a warning, not the end of the run."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from config import Settings, users_path
from core import IndexNames
from kikimimi.accounts import Accounts, Role
from kikimimi.session_sweeps import SessionSweeps
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.accounts.conftest import cheap_hasher
from tests.kikimimi.test_main_job import WebhookSink, _environment

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def settings(tmp_path: Path, idle_hours: float = 12) -> Settings:
    return Settings.model_validate(
        {"state_dir": str(tmp_path / "var"), "web": {"session_idle_hours": idle_hours}}
    )


def sessions_in(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])


def signed_in(config: Settings, *moments: datetime) -> list[str]:
    """A user with a session signed in at each moment (not used since); their tokens."""
    with Accounts(users_path(config), hasher=cheap_hasher()) as accounts:
        accounts.add_user("ana", PASSWORD, Role.AGENT, ["care"], now=T0 - timedelta(days=9))
        return [accounts.create_session("ana", now=moment) for moment in moments]


def test_expired_sessions_go_on_the_interval(tmp_path: Path) -> None:
    config = settings(tmp_path, idle_hours=2)
    signed_in(config, T0 - timedelta(hours=3), T0 - timedelta(hours=1))
    clock = Clock()
    sweeps = SessionSweeps(config, clock, every_seconds=3600)

    assert sweeps.run_when_due() == 1, "the first sweep at once: 2 h without use is expired"
    assert sessions_in(users_path(config)) == 1

    clock.now = T0 + timedelta(minutes=59, seconds=59)
    assert sweeps.run_when_due() is None, "not due yet"
    clock.now = T0 + timedelta(hours=1)
    assert sweeps.run_when_due() == 1, "the other one has expired meanwhile"
    assert sessions_in(users_path(config)) == 0


def test_without_a_users_file_there_is_nothing_to_do(tmp_path: Path) -> None:
    config = settings(tmp_path)

    assert SessionSweeps(config, Clock()).run_when_due() == 0
    assert not users_path(config).exists()


def test_a_file_it_cannot_use_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings(tmp_path)
    users_path(config).parent.mkdir(parents=True)
    users_path(config).write_bytes(b"not a database" * 100)
    clock = Clock()
    sweeps = SessionSweeps(config, clock, every_seconds=60)

    with caplog.at_level(logging.WARNING, logger="kikimimi.session_sweeps"):
        assert sweeps.run_when_due() is None

    assert "removing expired browser sessions failed" in caplog.text
    assert "next try in 60 s" in caplog.text
    clock.now = T0 + timedelta(seconds=30)
    assert sweeps.run_when_due() is None, "not before the next interval"


@pytest.mark.elasticsearch
@pytest.mark.slow
def test_the_main_job_removes_expired_sessions(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    now = datetime.now(UTC)
    with StandinServer(WebhookSink()) as hook:
        job = _environment(
            tmp_path,
            elasticsearch_node.url,
            index_names.prefix,
            f"{hook.url}/hook",
            tmp_path / "unused.jsonl",
            extra={"sources": [], "web": {"session_idle_hours": 1}},
        )
        config = Settings.model_validate({"state_dir": str(tmp_path / "var")})
        expired, live = signed_in(config, now - timedelta(hours=2), now - timedelta(minutes=5))
        assert sessions_in(users_path(config)) == 2

        job.run("run", "--no-schedule", "--until-idle")

    assert sessions_in(users_path(config)) == 1
    with Accounts(users_path(config)) as accounts:
        assert accounts.session(live) is not None
        assert accounts.session(expired) is None
