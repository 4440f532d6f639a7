"""The ``queue``, ``outbox``, ``crawl_state`` and ``redis`` sections: which backend the mention
queue, the outbox and the crawl state use and how to reach Redis; a bad value is one error
naming the file's line and the field, never a credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import check_settings, load_settings, mention_queue, queue_path
from config.settings import Settings
from core.errors import ConfigError
from core.mention_queue import SqliteMentionQueue
from core.redis_mention_queue import RedisMentionQueue
from tests.config.config_errors import error


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(f"state_dir: var\n{text}", encoding="utf-8")
    return path


def test_by_default_the_queue_is_the_sqlite_file_of_the_state_directory(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    assert (settings.queue.backend, settings.queue.max_deliveries) == ("sqlite", 10)
    assert str(settings.redis.url) == "redis://127.0.0.1:6379/0"
    queue = mention_queue(settings)
    assert isinstance(queue, SqliteMentionQueue) and queue.path == queue_path(settings)
    queue.close()


def test_a_redis_queue_over_tls_with_its_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KK_REDIS_PASSWORD", "redis-password-value")
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    path = write(
        tmp_path,
        "queue:\n  backend: redis\n  max_deliveries: 5\n"
        "redis:\n  url: rediss://redis.example.com:6380/2\n  username: kikimimi\n"
        '  password: {"$env": KK_REDIS_PASSWORD}\n  ca_certs: ca.pem\n  key_prefix: brand-a\n',
    )
    settings = check_settings(path)
    redis = settings.redis
    assert redis.password is not None
    assert redis.password.get_secret_value() == "redis-password-value"
    assert "redis-password-value" not in repr(settings)
    assert redis.ca_certs == tmp_path / "ca.pem"
    queue = mention_queue(settings)  # nothing connects before the first command
    assert isinstance(queue, RedisMentionQueue)
    assert (queue.stream, queue.dead_stream, queue.max_deliveries) == (
        "brand-a:mentions",
        "brand-a:mentions:dead",
        5,
    )
    kwargs = queue.client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("redis.example.com", 6380, 2)
    assert (kwargs["username"], kwargs["password"]) == ("kikimimi", "redis-password-value")
    assert kwargs["ssl_ca_certs"] == str(tmp_path / "ca.pem")


def test_an_unknown_backend_is_named_with_its_line_and_value(tmp_path: Path) -> None:
    message = error(write(tmp_path, "queue:\n  backend: kafka\n"))
    assert message == (
        f"{tmp_path / 'kikimimi.yaml'}:3: queue.backend: Input should be 'sqlite' or 'redis'"
        " (got 'kafka')"
    )


@pytest.mark.parametrize(
    ("redis", "field", "problem"),
    [
        ("  url: redis://:hunter2-secret@cache:6379/0\n", "url", "no credentials in the URL"),
        ("  url: https://cache:6379\n", "url", "URL scheme should be 'redis' or 'rediss'"),
        ("  url: redis://cache/queue\n", "url", "the path can only be the database number"),
        ("  ca_certs: ca.pem\n", "ca_certs", "needs a rediss:// (TLS) URL"),
        ("  username: kikimimi\n", "username", "set username and password together"),
        ("  key_prefix: 'a b'\n", "key_prefix", "String should match pattern"),
    ],
)
def test_a_bad_redis_setting_is_named_and_a_url_never_shown(
    tmp_path: Path, redis: str, field: str, problem: str
) -> None:
    message = error(write(tmp_path, f"redis:\n{redis}"))
    assert f":3: redis.{field}: {problem}" in message, message
    assert "hunter2" not in message


def test_config_check_names_a_missing_ca_certificate(tmp_path: Path) -> None:
    path = write(tmp_path, "redis:\n  url: rediss://cache:6380\n  ca_certs: missing.pem\n")
    load_settings(path)
    with pytest.raises(ConfigError) as raised:
        check_settings(path)
    assert "redis.ca_certs: does not exist" in str(raised.value)


def test_the_outbox_and_the_crawl_state_are_sqlite_files_by_default(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    assert settings.outbox.backend == "sqlite"
    assert (settings.crawl_state.backend, settings.crawl_state.seen_days) == ("sqlite", 90)


def test_the_outbox_and_the_crawl_state_in_redis(tmp_path: Path) -> None:
    settings = load_settings(
        write(
            tmp_path, "outbox:\n  backend: redis\ncrawl_state:\n  backend: redis\n  seen_days: 7\n"
        )
    )
    assert settings.outbox.backend == settings.crawl_state.backend == "redis"
    assert settings.crawl_state.seen_days == 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "outbox:\n  backend: kafka\n",
            "outbox.backend: Input should be 'sqlite' or 'redis' (got 'kafka')",
        ),
        (
            "crawl_state:\n  backend: etcd\n",
            "crawl_state.backend: Input should be 'sqlite' or 'redis' (got 'etcd')",
        ),
        (
            "crawl_state:\n  seen_days: 0\n",
            "crawl_state.seen_days: Input should be greater than 0 (got 0)",
        ),
        ("outbox:\n  lease_seconds: 5\n", "outbox.lease_seconds: unknown setting (got 5)"),
    ],
)
def test_a_bad_outbox_or_crawl_state_setting_names_file_line_field_and_value(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert error(write(tmp_path, text)) == f"{tmp_path / 'kikimimi.yaml'}:3: {expected}"
