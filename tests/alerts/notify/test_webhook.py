"""The generic webhook channel against the checking sink."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket

import pytest
from pydantic import SecretStr

from alerts.notify.channels.webhook import WebhookChannel, notice_body
from config.notifications import WebhookChannelSettings
from core.errors import DeliveryError
from standins.server import Reply, StandinServer, too_many_requests
from standins.webhook import WebhookSink
from tests.alerts.notify.conftest import MakeNotice

SECRET = "s3cret-hmac-key-0123456789"


def channel_for(url: str, secret: str | None = SECRET, timeout: float = 5.0) -> WebhookChannel:
    settings = WebhookChannelSettings(
        name="care",
        type="webhook",
        url=url,
        secret=SecretStr(secret) if secret else None,
        timeout_seconds=timeout,
    )
    return WebhookChannel(settings)


def test_posts_the_signed_notice(notice_factory: MakeNotice) -> None:
    sink = WebhookSink(SECRET)
    notice = notice_factory()
    with StandinServer(sink) as server:
        channel_for(f"{server.url}/hooks/kikimimi").send(notice)
    assert sink.deliveries == {notice.key: notice}
    (request,) = server.requests
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-kikimimi-event"] == "case_opened"
    assert request.headers["x-kikimimi-delivery"] == notice.key
    digest = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-kikimimi-signature"] == f"sha256={digest}"
    assert request.headers["x-kikimimi-timestamp"].isdigit()
    assert json.loads(request.body) == notice.model_dump(mode="json")
    assert request.body == notice_body(notice)


def test_a_key_beyond_ascii_is_percent_encoded_and_decoded_by_the_sink(
    notice_factory: MakeNotice,
) -> None:
    notice = notice_factory().model_copy(update={"key": "case-1:投稿 1:care"})
    sink = WebhookSink(SECRET)
    with StandinServer(sink) as server:
        channel_for(f"{server.url}/hooks/kikimimi").send(notice)
    assert server.requests[0].headers["x-kikimimi-delivery"] == "case-1:%E6%8A%95%E7%A8%BF%201:care"
    assert sink.deliveries == {notice.key: notice}


def test_without_a_secret_nothing_is_signed(notice_factory: MakeNotice) -> None:
    sink = WebhookSink(None)
    with StandinServer(sink) as server:
        channel_for(f"{server.url}/hooks/kikimimi", secret=None).send(notice_factory())
    assert "x-kikimimi-signature" not in server.requests[0].headers
    assert len(sink.deliveries) == 1


def test_a_wrong_secret_is_refused_for_good(notice_factory: MakeNotice) -> None:
    sink = WebhookSink(SECRET)
    with StandinServer(sink) as server, pytest.raises(DeliveryError) as caught:
        channel_for(f"{server.url}/hooks/kikimimi", secret="another-key-0123456789").send(
            notice_factory()
        )
    assert not caught.value.retryable
    assert caught.value.status == 401
    assert sink.deliveries == {}
    assert "another-key" not in str(caught.value)


def test_the_sink_drops_a_repeated_delivery(notice_factory: MakeNotice) -> None:
    sink = WebhookSink(SECRET)
    notice = notice_factory()
    with StandinServer(sink) as server:
        channel = channel_for(f"{server.url}/hooks/kikimimi")
        channel.send(notice)
        channel.send(notice)
    assert list(sink.deliveries) == [notice.key]
    assert sink.duplicates == 1


@pytest.mark.parametrize(
    ("reply", "retryable", "retry_after"),
    [
        (Reply(503, b"down"), True, None),
        (Reply(500, b"oops"), True, None),
        (Reply(408, b""), True, None),
        (too_many_requests("7"), True, 7.0),
        (Reply(400, b'{"error": "bad"}'), False, None),
        (Reply(404, b""), False, None),
        (Reply(410, b"gone"), False, None),
        (Reply(302, b"", headers={"Location": "http://elsewhere.example/"}), False, None),
    ],
)
def test_error_answers(
    notice_factory: MakeNotice, reply: Reply, retryable: bool, retry_after: float | None
) -> None:
    with StandinServer(lambda request: reply) as server, pytest.raises(DeliveryError) as caught:
        channel_for(f"{server.url}/hooks/kikimimi?token=url-secret").send(notice_factory())
    error = caught.value
    assert error.retryable is retryable
    assert error.retry_after == retry_after
    assert error.status == reply.status
    assert error.channel == "care"
    assert "url-secret" not in str(error)
    assert "/hooks" not in str(error)


def test_connection_refused_is_retryable(notice_factory: MakeNotice) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        channel_for(f"http://127.0.0.1:{port}/hooks/kikimimi").send(notice_factory())
    assert caught.value.retryable


def test_a_timeout_is_retryable(notice_factory: MakeNotice) -> None:
    sink = WebhookSink(SECRET)
    gate = sink.faults.hold()
    with StandinServer(sink) as server:
        with pytest.raises(DeliveryError) as caught:
            channel_for(f"{server.url}/hooks/kikimimi", timeout=0.3).send(notice_factory())
        gate.set()
    assert caught.value.retryable
    assert "timed out" in caught.value.reason
