"""The Salesforce channel against the org stand-in: token flow, Case fields, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from alerts.notify.channels.salesforce import SalesforceChannel
from config.notifications import SalesforceChannelSettings
from core.errors import DeliveryError
from standins.salesforce import INVALID_SESSION, SalesforceStandin
from standins.server import Reply, Request, StandinServer
from tests.alerts.notify.conftest import MakeNotice

CLIENT_ID = "3MVG9-client-id"
CLIENT_SECRET = "8A4BE-client-secret"


def channel_for(url: str, secret: str = CLIENT_SECRET, **case: Any) -> SalesforceChannel:
    settings = SalesforceChannelSettings.model_validate(
        {
            "name": "sfdc",
            "type": "salesforce",
            "instance_url": url,
            "client_id": SecretStr(CLIENT_ID),
            "client_secret": SecretStr(secret),
            "case": case,
            "timeout_seconds": 5,
        }
    )
    return SalesforceChannel(settings)


@pytest.fixture
def org() -> SalesforceStandin:
    return SalesforceStandin(CLIENT_ID, CLIENT_SECRET)


@pytest.fixture
def server(org: SalesforceStandin) -> Iterator[StandinServer]:
    with StandinServer(org) as running:
        yield running


def test_creates_a_case(
    org: SalesforceStandin, server: StandinServer, notice_factory: MakeNotice
) -> None:
    channel_for(server.url).send(notice_factory())
    (case,) = org.cases.values()
    assert case["Subject"].startswith("[high] Hoshi Mobile case opened")
    assert case["Priority"] == "High"
    assert case["Origin"] == "Social"
    assert case["Status"] == "New"
    assert "<!channel> Hoshi Mobile is down again" in case["Description"]
    token_request, case_request = server.requests
    assert token_request.path == "/services/oauth2/token"
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert case_request.path == "/services/data/v62.0/sobjects/Case/"
    assert case_request.headers["authorization"].startswith("Bearer 00D")


def test_the_token_is_cached_and_refreshed_once_on_401(
    org: SalesforceStandin, server: StandinServer, notice_factory: MakeNotice
) -> None:
    channel = channel_for(server.url)
    channel.send(notice_factory(1))
    channel.send(notice_factory(2))
    assert org.token_requests == 1
    org.expire_tokens()
    channel.send(notice_factory(3))
    assert org.token_requests == 2
    assert len(org.cases) == 3


def test_a_token_past_expires_in_is_renewed(notice_factory: MakeNotice) -> None:
    org = SalesforceStandin(CLIENT_ID, CLIENT_SECRET, expires_in=30)  # under the margin
    with StandinServer(org) as running:
        channel = channel_for(running.url)
        channel.send(notice_factory(1))
        channel.send(notice_factory(2))
    assert org.token_requests == 2


def test_a_token_that_keeps_failing_is_permanent(notice_factory: MakeNotice) -> None:
    def always_401(request: Request) -> Reply:
        if request.path == "/services/oauth2/token":
            host = request.headers["host"]
            body = {"access_token": "tok-123456789", "instance_url": f"http://{host}"}
            return Reply(200, json.dumps(body).encode())
        return Reply(401, json.dumps(INVALID_SESSION).encode())

    with StandinServer(always_401) as running, pytest.raises(DeliveryError) as caught:
        channel_for(running.url).send(notice_factory())
    assert not caught.value.retryable
    assert len([r for r in running.requests if "oauth2" in r.path]) == 2
    assert "tok-123456789" not in str(caught.value)


def test_wrong_credentials_are_permanent_and_not_shown(
    server: StandinServer, notice_factory: MakeNotice
) -> None:
    with pytest.raises(DeliveryError) as caught:
        channel_for(server.url, secret="wrong-secret-value").send(notice_factory())
    assert not caught.value.retryable
    assert "invalid client credentials" in caught.value.reason
    assert "wrong-secret-value" not in str(caught.value)
    assert CLIENT_ID not in str(caught.value)


def test_an_unknown_field_is_permanent(server: StandinServer, notice_factory: MakeNotice) -> None:
    with pytest.raises(DeliveryError) as caught:
        channel_for(server.url, fields={"Bogus": "x"}).send(notice_factory())
    assert not caught.value.retryable
    assert "INVALID_FIELD" in caught.value.reason


def test_a_missing_required_field_is_permanent(notice_factory: MakeNotice) -> None:
    org = SalesforceStandin(CLIENT_ID, CLIENT_SECRET, required=("Subject", "Type"))
    with StandinServer(org) as running, pytest.raises(DeliveryError) as caught:
        channel_for(running.url).send(notice_factory())
    assert "REQUIRED_FIELD_MISSING" in caught.value.reason
    with StandinServer(org) as running:
        channel_for(running.url, fields={"Type": "Problem"}).send(notice_factory())
    assert len(org.cases) == 1


def test_priorities_are_mapped(
    org: SalesforceStandin, server: StandinServer, notice_factory: MakeNotice
) -> None:
    channel_for(server.url).send(notice_factory(1, priority="normal"))
    channel_for(server.url).send(notice_factory(2, priority=None))
    channel_for(server.url, priorities={"low": "Low", "urgent": "High"}).send(
        notice_factory(3, priority="low")
    )
    assert [c["Priority"] for c in org.cases.values()] == ["Medium", "Medium", "Low"]


def test_a_duplicate_key_counts_as_delivered(notice_factory: MakeNotice) -> None:
    org = SalesforceStandin(CLIENT_ID, CLIENT_SECRET, unique_field="Kikimimi_Key__c")
    notice = notice_factory()
    with StandinServer(org) as running:
        channel = channel_for(running.url, key_field="Kikimimi_Key__c")
        channel.send(notice)
        channel.send(notice)  # the answer to the first was "lost"
        statuses = [r.path for r in running.requests]
    assert len(org.cases) == 1
    assert next(iter(org.cases.values()))["Kikimimi_Key__c"] == notice.key
    assert statuses.count("/services/data/v62.0/sobjects/Case/") == 2


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply(503, b'[{"message":"down","errorCode":"SERVER_UNAVAILABLE"}]'), True),
        (Reply(500, b"<html>oops</html>", "text/html"), True),
        (Reply(403, b'[{"message":"limit","errorCode":"REQUEST_LIMIT_EXCEEDED"}]'), True),
        (Reply(403, b'[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]'), False),
        (
            Reply(400, b'[{"message":"bad","errorCode":"STRING_TOO_LONG","fields":["Subject"]}]'),
            False,
        ),
        (
            Reply(201, b'{"id":null,"success":false,"errors":[{"errorCode":"X","message":"m"}]}'),
            False,
        ),
    ],
)
def test_case_error_answers(
    org: SalesforceStandin,
    server: StandinServer,
    notice_factory: MakeNotice,
    reply: Reply,
    retryable: bool,
) -> None:
    org.faults.fail(1, reply)
    with pytest.raises(DeliveryError) as caught:
        channel_for(server.url).send(notice_factory())
    assert caught.value.retryable is retryable


def test_a_token_endpoint_outage_is_retryable(notice_factory: MakeNotice) -> None:
    with (
        StandinServer(lambda r: Reply(503, b"")) as running,
        pytest.raises(DeliveryError) as caught,
    ):
        channel_for(running.url).send(notice_factory())
    assert caught.value.retryable
