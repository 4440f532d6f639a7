"""The queue the settings choose, on a real Redis that wants a password: the password comes
from the environment, and a wrong one is one clear error that never shows it; and over TLS
(``rediss://``), trusting the configured CA."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config import load_settings, mention_queue
from core.errors import RedisError, RedisUnavailableError
from core.records import Mention
from tests.conftest import MakeRedisServer
from tests.self_signed import self_signed_certificate

pytestmark = pytest.mark.redis

PASSWORD = "redis-test-password-1"


def config(tmp_path: Path, url: str, more: str = "") -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(
        "state_dir: var\nqueue:\n  backend: redis\n"
        f'redis:\n  url: {url}\n  password: {{"$env": KK_REDIS_PASSWORD}}\n'
        f"  key_prefix: kk-stores\n{more}",
        encoding="utf-8",
    )
    return path


def test_the_configured_redis_queue_signs_in_with_the_password_from_the_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_redis_server: MakeRedisServer,
    make_mentions: Callable[..., list[Mention]],
) -> None:
    server = make_redis_server(password=PASSWORD)
    path = config(tmp_path, server.url)
    monkeypatch.setenv("KK_REDIS_PASSWORD", PASSWORD)
    queue = mention_queue(load_settings(path))
    mentions = make_mentions(3)
    queue.put(mentions)
    assert [c.mention for c in queue.claim("pipeline", 10, 60)] == mentions
    queue.close()

    monkeypatch.setenv("KK_REDIS_PASSWORD", "wrong-password-value")
    queue = mention_queue(load_settings(path))
    with pytest.raises(RedisError) as raised:
        queue.depth()
    assert not isinstance(raised.value, RedisUnavailableError), "retrying will not help"
    message = str(raised.value)
    assert message.startswith(
        "could not count the mentions in the mention queue (Redis stream kk-stores:mentions): "
        "Redis refused the credentials"
    ), message
    assert "wrong-password-value" not in message and PASSWORD not in message
    queue.close()


def test_over_tls_the_configured_ca_is_trusted_and_no_other(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_redis_server: MakeRedisServer,
    make_mentions: Callable[..., list[Mention]],
) -> None:
    certificate = self_signed_certificate(tmp_path / "tls")
    server = make_redis_server(password=PASSWORD, certificate=certificate)
    assert server.url.startswith("rediss://")
    monkeypatch.setenv("KK_REDIS_PASSWORD", PASSWORD)
    settings = load_settings(config(tmp_path, server.url, f"  ca_certs: {certificate[0]}\n"))
    queue = mention_queue(settings)
    queue.put(make_mentions(2))
    assert len(queue.claim("pipeline", 10, 60)) == 2
    queue.close()

    untrusting = mention_queue(load_settings(config(tmp_path, server.url)))
    with pytest.raises(RedisError) as raised:
        untrusting.depth()
    assert not isinstance(raised.value, RedisUnavailableError), "retrying will not help"
    assert "Redis's TLS certificate is not trusted" in str(raised.value)
    assert "certificate verify failed" in str(raised.value)
    untrusting.close()
