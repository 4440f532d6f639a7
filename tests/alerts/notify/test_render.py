"""The channel-neutral layout of a notice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.notify.channels.salesforce import case_fields
from alerts.notify.channels.slack import slack_message
from alerts.notify.channels.zendesk import zendesk_ticket
from alerts.notify.render import render, safe_link, slug
from config.notifications import SalesforceChannelSettings, ZendeskChannelSettings
from core.records import Notice
from core.untrusted import one_line
from standins.slack import slack_block_problems
from tests.alerts.notify.conftest import MakeNotice

SPIKE = Notice(
    key="spike:hoshi:2026-05-01T09:00:ops",
    channel="ops",
    kind="spike",
    created_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    subject="Spike: 42 negative mentions of Hoshi Mobile",
    body="42 in the last hour, 4.2× the usual.\n\nExamples:\n- a\n- b",
    brand="Hoshi Mobile",
    priority="urgent",
    facts={"count": "42", "top_topics": "network, billing"},
)


def test_parts_of_a_case_notice(notice_factory: MakeNotice) -> None:
    parts = render(notice_factory())
    labels = [label for label, _ in parts.facts]
    assert labels[:5] == ["Kind", "Brand", "Priority", "Team", "Case"]
    assert ("Author", "@angry<b>user</b>") in parts.facts
    assert ("Rule", "own-brand-negative-complaint") in parts.facts
    assert parts.link == "https://social.example/@angry/1"
    text = parts.plain_text()
    assert text.startswith("[high] Hoshi Mobile case opened")
    assert text.endswith("https://social.example/@angry/1\n")


def test_a_spike_notice_fits_every_channel() -> None:
    assert slack_block_problems(slack_message(SPIKE)["blocks"]) == []
    sf = SalesforceChannelSettings.model_validate(
        {
            "name": "s",
            "type": "salesforce",
            "instance_url": "https://x.my.salesforce.com",
            "client_id": "i",
            "client_secret": "s",
        }
    )
    assert case_fields(SPIKE, sf)["Priority"] == "High"
    zd = ZendeskChannelSettings.model_validate(
        {
            "name": "z",
            "type": "zendesk",
            "base_url": "https://x.zendesk.com",
            "email": "a@x.example",
            "api_token": "t",
        }
    )
    ticket = zendesk_ticket(SPIKE, zd)["ticket"]
    assert ticket["priority"] == "urgent"
    assert ticket["tags"] == ["kikimimi", "spike", "hoshi_mobile"]
    assert "Top topics: network, billing" in ticket["comment"]["body"]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b=c&d=e", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        ("https://example.com/a b", False),
        ('https://example.com/"onmouseover=x', False),
        ("https://example.com/<x>", False),
        ("https://example.com/a|b", False),
        (None, False),
    ],
)
def test_safe_link(url: str | None, safe: bool) -> None:
    assert safe_link(url) == (url if safe else None)


def test_one_line_and_slug() -> None:
    assert one_line("a\r\nb\t c\x00d") == "a b cd"
    assert slug("Hoshi Mobile") == "hoshi_mobile"
    assert slug("ほしモバイル") == "ほしモバイル"
