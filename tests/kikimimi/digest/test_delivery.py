"""The digest goes through the outbox like every notice and arrives once: on the local SMTP
stand-in (a multipart mail: text, HTML, the charts inline) and on the Slack incoming-webhook
stand-in, however often the schedule fires or the job restarts, and after a failed try; a
hostile post in it arrives inert. Against the real local Elasticsearch."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from alerts import Outbox, build_channels
from alerts.notify import DeliveryReport
from config import Settings
from core import Author, IndexNames
from kikimimi import wiring
from kikimimi.digest import (
    DigestPeriod,
    DigestSchedule,
    DigestSources,
    DigestSweeps,
    send_digest,
)
from standins.server import StandinServer, server_error
from standins.slack import SlackSink, slack_block_problems
from standins.smtp import SmtpStandin
from tests.conftest import RunningElasticsearch
from tests.indexer.trends.conftest import HOSHI, WEEK, mention, seeded_mentions
from tests.kikimimi.digest.conftest import FIRE, digest_settings, index_all

pytestmark = pytest.mark.elasticsearch

HOOK = "/services/T0KIKI/B0MIMI/abcdefghijklmnopqrstuvwx"
HOSTILE = (
    '<script>alert("x")</script><img src=x onerror=alert(1)> @channel <!here> *bold* '
    "<https://evil.example|click> \u202eevil\x1b[2J"
)


@pytest.fixture
def smtp() -> Iterator[SmtpStandin]:
    with SmtpStandin() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[tuple[SlackSink, StandinServer]]:
    sink = SlackSink(HOOK)
    with StandinServer(sink) as server:
        yield sink, server


@pytest.fixture
def delivering(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    index_names: IndexNames,
    smtp: SmtpStandin,
    slack: tuple[SlackSink, StandinServer],
) -> Settings:
    """Settings whose audience gets the digest by mail and on Slack."""
    _, server = slack
    mail = {
        "name": "mail",
        "type": "email",
        "host": smtp.host,
        "port": smtp.port,
        "security": "none",
        "from_address": "digest@kikimimi.example",
        "to": ["marketing@hoshi.example"],
    }
    chat = {"name": "chat", "type": "slack", "url": server.url + HOOK}
    return digest_settings(tmp_path, elasticsearch_node, index_names, [mail, chat])


@pytest.fixture
def stream(es: Elasticsearch, index_names: IndexNames) -> IndexNames:
    """The seeded stream and, the week's newest ``outage`` post of Hoshi Mobile, a hostile
    one (so it is the example the digest shows for that topic)."""
    hostile = mention(
        "hostile", HOSTILE, WEEK + timedelta(days=6, hours=23), HOSHI, "negative"
    ).model_copy(
        update={
            "topics": ["outage"],
            "author": Author(handle='<b onmouseover="x()">@here</b>', name="<!channel>"),
        }
    )
    index_all(es, index_names, [*seeded_mentions(), hostile])
    return index_names


def test_fired_twice_and_restarted_it_is_delivered_once(
    delivering: Settings,
    es: Elasticsearch,
    stream: IndexNames,
    smtp: SmtpStandin,
    slack: tuple[SlackSink, StandinServer],
) -> None:
    sink, _ = slack

    def clock() -> datetime:
        return FIRE + timedelta(minutes=5)

    with wiring.outbox(delivering) as outbox:
        sources = DigestSources.for_settings(delivering, es, outbox)
        sweeps = DigestSweeps(delivering, sources, clock)

        assert sweeps.run_when_due() == 2  # one notice per channel
        assert sweeps.run_when_due() == 0  # fired again: not due any more
        assert DigestSweeps(delivering, sources, clock).run_when_due() == 0  # a restart
        audience = delivering.digests[0]
        again = send_digest(delivering, audience, period(delivering), sources, clock())
        assert again.queued == 0  # `kikimimi digest send` of the same period

        channels = build_channels(delivering)
        assert outbox.deliver_due(channels).delivered == 2
        assert outbox.deliver_due(channels).delivered == 0

    assert len(smtp.messages) == 1
    assert len(sink.messages) == 1


def test_the_mail_is_multipart_with_its_charts_inline_and_the_post_inert(
    delivering: Settings, es: Elasticsearch, stream: IndexNames, smtp: SmtpStandin
) -> None:
    with wiring.outbox(delivering) as outbox:
        deliver(delivering, es, outbox)

    (mail,) = smtp.messages
    message = mail.message()
    assert message["Subject"] == "Brand health, 8–14 Nov 2026: weekly"
    assert message["X-Kikimimi-Event"] == "digest"
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.iter_parts()
    html = html_part.get_content()
    assert [image.get_content_type() for image in images] == ["image/png"] * 3
    cids = {image["Content-ID"].strip("<>") for image in images}
    assert set(re.findall(r'src="cid:([^"]+)"', html)) == cids
    assert all(image.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
    text = plain.get_content()
    assert "Hoshi Mobile (own)     61       +52%" in text
    assert "- outage (Hoshi Mobile): 26 posts (+420%), 26 negative" in text
    assert '  “<script>alert("x")</script><img src=x onerror=alert(1)> @channel' in text
    assert "\u202e" not in text and "\x1b" not in text
    for raw in ("<script", "<img src=x", "<b onmouseover", "<!channel>", "\u202e", "\x1b"):
        assert raw not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;@here&lt;/b&gt;" in html


def test_the_slack_message_pings_and_links_nothing(
    delivering: Settings,
    es: Elasticsearch,
    stream: IndexNames,
    slack: tuple[SlackSink, StandinServer],
) -> None:
    sink, _ = slack
    with wiring.outbox(delivering) as outbox:
        deliver(delivering, es, outbox)

    (message,) = sink.messages
    payload = json.dumps(message, ensure_ascii=False)
    assert message["text"] == "Brand health, 8–14 Nov 2026: weekly"
    assert slack_block_problems(message["blocks"]) == []
    assert "<!here>" not in payload and "<https://evil" not in payload
    assert "&lt;!here&gt;" in payload
    assert "\u202e" not in payload and "\x1b" not in payload


def test_a_failed_try_is_retried_and_still_delivered_once(
    delivering: Settings,
    es: Elasticsearch,
    stream: IndexNames,
    slack: tuple[SlackSink, StandinServer],
) -> None:
    sink, _ = slack
    sink.faults.fail(1, server_error())
    with wiring.outbox(delivering) as outbox:
        first = deliver(delivering, es, outbox)
        assert (first.delivered, first.retrying) == (1, 1)
        later = outbox.deliver_due(build_channels(delivering), now=time.time() + 3600)
        assert later.delivered == 1

    assert len(sink.messages) == 1


def period(settings: Settings) -> DigestPeriod:
    """The seeded week, as the audience's schedule sends it on :data:`FIRE`."""
    return DigestSchedule(settings.digests[0]).period_of(FIRE)


def deliver(settings: Settings, es: Elasticsearch, outbox: Outbox) -> DeliveryReport:
    """Queue the seeded week's digest, then deliver what is due."""
    sources = DigestSources.for_settings(settings, es, outbox)
    sent = send_digest(settings, settings.digests[0], period(settings), sources, FIRE)
    assert sent.queued == 2
    return outbox.deliver_due(build_channels(settings))
