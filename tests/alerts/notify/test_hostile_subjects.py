"""A subject built from a hostile author handle reaches every channel as one clean line: no
CR/LF, no escape sequences, no bidi controls, no zero-width characters."""

from __future__ import annotations

import json

from pydantic import SecretStr

from alerts.notify.channels.email import EmailChannel
from alerts.notify.channels.salesforce import case_fields
from alerts.notify.channels.slack import SlackChannel
from alerts.notify.channels.webhook import WebhookChannel
from alerts.notify.channels.zendesk import zendesk_ticket
from config.notifications import (
    EmailChannelSettings,
    SalesforceChannelSettings,
    SlackChannelSettings,
    WebhookChannelSettings,
    ZendeskChannelSettings,
)
from core.records import Notice
from standins.server import StandinServer
from standins.slack import SlackSink
from standins.smtp import SmtpStandin
from standins.webhook import WebhookSink
from tests.alerts.notify.conftest import MakeNotice

HANDLE = (
    "@evil\x1b[2J\x1b[31m\x1b]0;owned\x07\x1b]8;;http://evil.example\x07here\x1b]8;;\x07"
    "\r\nBcc: x@evil.example\r\u202etxt.exe\u200b\u200d\u2060\ufeff\u200e ほしモバイル📱"
)
CLEAN = "[high] Hoshi Mobile case opened: @evilhere Bcc: x@evil.example txt.exe ほしモバイル📱"
FORBIDDEN = (
    "\x1b", "\x07", "\r", "\n", "\u202e", "\u200b", "\u200d", "\u2060", "\ufeff", "\u200e",
    "[2J", "[31m", "owned", "http://evil",
)  # fmt: skip


def hostile(notice_factory: MakeNotice) -> Notice:
    notice = notice_factory()
    return notice.model_copy(
        update={"subject": f"[high] Hoshi Mobile case opened: {HANDLE} on mastodon"}
    )


def assert_clean(subject: str) -> None:
    assert [raw for raw in FORBIDDEN if raw in subject] == []
    assert subject.startswith(CLEAN)


def test_the_webhook_json_subject(notice_factory: MakeNotice) -> None:
    sink = WebhookSink()
    with StandinServer(sink) as server:
        url = f"{server.url}{sink.path}"
        WebhookChannel(WebhookChannelSettings(name="hook", type="webhook", url=url)).send(
            hostile(notice_factory)
        )
    (request,) = server.requests
    assert_clean(json.loads(request.body)["subject"])


def test_the_slack_text_and_heading(notice_factory: MakeNotice) -> None:
    hook = "/services/T0KIKI/B0MIMI/abcdefghijklmnopqrstuvwx"
    sink = SlackSink(hook)
    with StandinServer(sink) as server:
        settings = SlackChannelSettings(name="s", type="slack", url=SecretStr(server.url + hook))
        SlackChannel(settings).send(hostile(notice_factory))
    (message,) = sink.messages
    assert_clean(message["text"])
    assert_clean(message["blocks"][0]["text"]["text"].strip("*"))


def test_the_email_subject_header(notice_factory: MakeNotice) -> None:
    with SmtpStandin() as smtp:
        settings = EmailChannelSettings.model_validate(
            {
                "name": "mail",
                "type": "email",
                "host": smtp.host,
                "port": smtp.port,
                "security": "none",
                "from_address": "alerts@kikimimi.example",
                "to": ["care@hoshi.example"],
                "timeout_seconds": 5,
            }
        )
        EmailChannel(settings).send(hostile(notice_factory))
    (mail,) = smtp.messages
    message = mail.message()
    assert_clean(str(message["Subject"]))
    assert message["Bcc"] is None


def test_ticket_and_case_subjects(notice_factory: MakeNotice) -> None:
    zendesk = ZendeskChannelSettings.model_validate(
        {
            "name": "z",
            "type": "zendesk",
            "base_url": "https://x.zendesk.com",
            "email": "a@x.example",
            "api_token": "t",
        }
    )
    salesforce = SalesforceChannelSettings.model_validate(
        {
            "name": "s",
            "type": "salesforce",
            "instance_url": "https://x.my.salesforce.com",
            "client_id": "i",
            "client_secret": "s",
        }
    )
    notice = hostile(notice_factory)
    assert_clean(zendesk_ticket(notice, zendesk)["ticket"]["subject"])
    assert_clean(case_fields(notice, salesforce)["Subject"])
