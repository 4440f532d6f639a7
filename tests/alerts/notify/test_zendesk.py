"""The Zendesk channel against the account stand-in: auth, body, idempotency, rate limits."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from alerts.notify.channels.zendesk import ZendeskChannel, idempotency_key
from config.notifications import ZendeskChannelSettings
from core.errors import DeliveryError
from standins.server import Reply, StandinServer
from standins.zendesk import ZendeskStandin
from tests.alerts.notify.conftest import MakeNotice

EMAIL = "care-bot@hoshi.example"
TOKEN = "zd-api-token-6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv"


def channel_for(url: str, token: str = TOKEN) -> ZendeskChannel:
    settings = ZendeskChannelSettings(
        name="zd",
        type="zendesk",
        base_url=url,
        email=EMAIL,
        api_token=SecretStr(token),
        timeout_seconds=5,
    )
    return ZendeskChannel(settings)


@pytest.fixture
def account() -> ZendeskStandin:
    return ZendeskStandin(EMAIL, TOKEN)


@pytest.fixture
def server(account: ZendeskStandin) -> Iterator[StandinServer]:
    with StandinServer(account) as running:
        yield running


def test_opens_a_ticket(
    account: ZendeskStandin, server: StandinServer, notice_factory: MakeNotice
) -> None:
    notice = notice_factory()
    channel_for(server.url).send(notice)
    (ticket,) = account.tickets.values()
    assert ticket["subject"].startswith("[high] Hoshi Mobile case opened")
    assert ticket["priority"] == "high"
    assert ticket["external_id"] == notice.key
    assert ticket["tags"] == ["kikimimi", "case_opened", "hoshi_mobile", "care"]
    assert "<!channel> Hoshi Mobile is down again" in ticket["description"]
    (request,) = server.requests
    assert request.path == "/api/v2/tickets.json"
    expected = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["idempotency-key"] == notice.key
    body = json.loads(request.body)
    assert set(body["ticket"]) == {"subject", "comment", "priority", "tags", "external_id"}
    assert set(body["ticket"]["comment"]) == {"body"}


def test_a_repeat_opens_no_second_ticket(
    account: ZendeskStandin, server: StandinServer, notice_factory: MakeNotice
) -> None:
    channel = channel_for(server.url)
    notice = notice_factory()
    channel.send(notice)
    channel.send(notice)
    assert len(account.tickets) == 1
    assert [r.headers["idempotency-key"] for r in server.requests] == [notice.key] * 2


def test_a_wrong_token_is_permanent_and_not_shown(
    server: StandinServer, notice_factory: MakeNotice
) -> None:
    with pytest.raises(DeliveryError) as caught:
        channel_for(server.url, token="wrong-token-abcdefgh").send(notice_factory())
    assert not caught.value.retryable
    assert caught.value.status == 401
    assert "wrong-token" not in str(caught.value)


def test_429_is_retryable_with_retry_after(
    account: ZendeskStandin, server: StandinServer, notice_factory: MakeNotice
) -> None:
    account.rate_limit(1, retry_after=42)
    channel = channel_for(server.url)
    with pytest.raises(DeliveryError) as caught:
        channel.send(notice_factory())
    assert caught.value.retryable
    assert caught.value.retry_after == 42.0
    channel.send(notice_factory())
    assert len(account.tickets) == 1


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply(503, b"", headers={"Retry-After": "5"}), True),
        (Reply(409, b'{"error":"IdempotentRequestInProgress"}'), True),
        (Reply(422, b'{"error":"RecordInvalid","description":"Record validation errors"}'), False),
        (Reply(400, b'{"error":"IdempotentRequestError"}'), False),
        (Reply(403, b'{"error":"Forbidden"}'), False),
    ],
)
def test_error_answers(
    account: ZendeskStandin,
    server: StandinServer,
    notice_factory: MakeNotice,
    reply: Reply,
    retryable: bool,
) -> None:
    account.faults.fail(1, reply)
    with pytest.raises(DeliveryError) as caught:
        channel_for(server.url).send(notice_factory())
    assert caught.value.retryable is retryable


def test_the_standin_refuses_a_reused_key_with_another_body(
    account: ZendeskStandin, server: StandinServer, notice_factory: MakeNotice
) -> None:
    channel = channel_for(server.url)
    channel.send(notice_factory(1))
    changed = notice_factory(1).model_copy(update={"subject": "something else"})
    with pytest.raises(DeliveryError) as caught:
        channel.send(changed)
    assert not caught.value.retryable
    assert "IdempotentRequestError" in caught.value.reason


def test_a_long_key_is_hashed() -> None:
    assert idempotency_key("k" * 300) != "k" * 300
    assert len(idempotency_key("k" * 300)) == 64
    assert idempotency_key("case-1:abc:zd") == "case-1:abc:zd"
