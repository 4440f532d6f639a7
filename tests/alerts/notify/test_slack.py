"""The Slack channel against the incoming-webhook sink: shape, escaping, errors."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from alerts.notify.channels.slack import SlackChannel, escape, slack_message
from config.notifications import SlackChannelSettings
from core.errors import DeliveryError
from standins.server import Reply, StandinServer, too_many_requests
from standins.slack import SlackSink, slack_block_problems
from tests.alerts.notify.conftest import MakeNotice

HOOK = "/services/T0KIKI/B0MIMI/abcdefghijklmnopqrstuvwx"


def channel_for(url: str) -> SlackChannel:
    return SlackChannel(SlackChannelSettings(name="slack", type="slack", url=SecretStr(url)))


def all_text(message: dict[str, object]) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_posts_text_and_blocks(notice_factory: MakeNotice) -> None:
    sink = SlackSink(HOOK)
    with StandinServer(sink) as server:
        channel_for(server.url + HOOK).send(notice_factory())
    (message,) = sink.messages
    assert message["text"].startswith("[high] Hoshi Mobile case opened")
    assert slack_block_problems(message["blocks"]) == []
    assert [b["type"] for b in message["blocks"]] == ["section", "section", "context", "section"]
    assert message["blocks"][-1]["text"]["text"] == (
        "<https://social.example/@angry/1|Open the post>"
    )


def test_hostile_post_text_cannot_ping_or_link(notice_factory: MakeNotice) -> None:
    message = slack_message(notice_factory())
    text = all_text(message)
    assert "<!channel>" not in text
    assert "<https://evil" not in text
    assert "&lt;!channel&gt;" in text
    assert "&lt;https://evil.example/x|click here&gt;" in text
    assert "&amp;" in text
    assert "<b>" not in text  # the author handle is escaped too
    body = message["blocks"][1]["text"]
    assert body["verbatim"] is True  # no automatic parsing of the bare @here
    # the only "<" left starts the notice's own link
    assert text.count("<") == 1


def test_a_hostile_url_is_not_linked(notice_factory: MakeNotice) -> None:
    message = slack_message(notice_factory(url="https://ok.example/a|<!channel>"))
    assert all(b["type"] != "section" or "Open the post" not in str(b) for b in message["blocks"])
    assert "<!channel>" not in all_text(message)


def test_long_text_is_cut_to_slack_limits(notice_factory: MakeNotice) -> None:
    message = slack_message(notice_factory(text="<&>" * 5000))
    assert slack_block_problems(message["blocks"]) == []
    assert len(message["blocks"][1]["text"]["text"]) <= 3000
    assert message["blocks"][1]["text"]["text"].endswith("…")


def test_escape() -> None:
    assert escape("a & <b> > c") == "a &amp; &lt;b&gt; &gt; c"


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply(400, b"invalid_payload", "text/html"), False),
        (Reply(403, b"action_prohibited", "text/html"), False),
        (Reply(404, b"no_service", "text/html"), False),
        (Reply(410, b"channel_is_archived", "text/html"), False),
        (Reply(500, b"rollup_error", "text/html"), True),
        (too_many_requests("30"), True),
    ],
)
def test_error_answers_never_show_the_url(
    notice_factory: MakeNotice, reply: Reply, retryable: bool
) -> None:
    with StandinServer(lambda request: reply) as server, pytest.raises(DeliveryError) as caught:
        channel_for(server.url + HOOK).send(notice_factory())
    assert caught.value.retryable is retryable
    assert "abcdefghijklmnop" not in str(caught.value)
    assert "B0MIMI" not in str(caught.value)


def test_a_wrong_hook_path_is_permanent(notice_factory: MakeNotice) -> None:
    with StandinServer(SlackSink(HOOK)) as server, pytest.raises(DeliveryError) as caught:
        channel_for(server.url + "/services/T0KIKI/B0MIMI/wrong").send(notice_factory())
    assert not caught.value.retryable
    assert "no_service" in caught.value.reason


def test_the_sink_checks_the_shape() -> None:
    assert slack_block_problems([{"type": "bogus"}]) == ["block 0: unknown type 'bogus'"]
    assert slack_block_problems([{"type": "section"}]) == [
        "block 0: a section needs text or fields"
    ]
    assert slack_block_problems([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]) == [
        "block 0: bad text object type 'mrkdwn'"
    ]
    assert slack_block_problems([{"type": "context", "elements": []}]) == [
        "block 0: a context needs 1 to 10 elements"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com:port/services/T0/B0/secretpath",
        "https://hooks.slack.com:99999/services/T0/B0/secretpath",
    ],
)
def test_a_malformed_url_is_permanent_and_hidden(notice_factory: MakeNotice, url: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        channel_for(url).send(notice_factory())
    assert not caught.value.retryable
    assert "secretpath" not in str(caught.value)
    assert "port" not in str(caught.value)
