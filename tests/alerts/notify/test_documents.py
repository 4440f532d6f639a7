"""Notices that carry a document laid out by the application (a digest): the mail sends its
HTML with the images inline, Slack posts its blocks, and the outbox stores it round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.notify.channels.email import email_message
from alerts.notify.channels.slack import SlackChannel, slack_message
from alerts.notify.sqlite_outbox import SqliteOutbox
from config.notifications import EmailChannelSettings, SlackChannelSettings
from core.errors import RecordError
from core.records import Notice, NoticeDocument, NoticeImage, parse_record
from standins.server import StandinServer
from standins.slack import SlackSink

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
BLOCKS = [{"type": "section", "text": {"type": "plain_text", "text": "Posts: 60", "emoji": False}}]


def digest_notice(channel: str = "mail") -> Notice:
    return Notice(
        key=f"digest:marketing:2026-11-09..2026-11-16:{channel}",
        channel=channel,
        kind="digest",
        created_at=NOW,
        subject="Brand health, 9–15 Nov 2026: marketing",
        body="Brand health\n\nHoshi Mobile: 60 posts\x1b[31m\n",
        document=NoticeDocument(
            html='<p>Hoshi Mobile: 60 posts</p><img src="cid:volume.m@kikimimi" alt="">',
            images=[
                NoticeImage(
                    content_id="volume.m@kikimimi",
                    media_type="image/png",
                    data=PNG,
                    description="Posts per day",
                )
            ],
            slack_blocks=BLOCKS,
        ),
    )


def test_the_mail_is_the_documents_html_with_its_images_inline() -> None:
    settings = EmailChannelSettings(
        name="mail", type="email", host="localhost", from_address="d@k.example", to=["m@k.example"]
    )

    message = email_message(digest_notice(), settings)

    plain, related = message.iter_parts()
    assert plain.get_content() == "Brand health\n\nHoshi Mobile: 60 posts\n"  # no ESC
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content().startswith("<p>Hoshi Mobile: 60 posts</p>")
    assert image["Content-ID"] == "<volume.m@kikimimi>"
    assert image.get_content() == PNG


def test_slack_posts_the_documents_blocks() -> None:
    hook = "/services/T0KIKI/B0MIMI/abcdefghijklmnopqrstuvwx"
    sink = SlackSink(hook)
    with StandinServer(sink) as server:
        settings = SlackChannelSettings(name="chat", type="slack", url=SecretStr(server.url + hook))
        SlackChannel(settings).send(digest_notice("chat"))

    assert sink.messages == [{"text": "Brand health, 9–15 Nov 2026: marketing", "blocks": BLOCKS}]
    assert slack_message(digest_notice("chat"))["blocks"] == BLOCKS


def test_the_outbox_stores_a_document_round_trip(tmp_path: Path) -> None:
    with SqliteOutbox(tmp_path / "outbox.sqlite") as outbox:
        outbox.enqueue([digest_notice()])
        entry = outbox.get(digest_notice().key)

    assert entry is not None
    assert entry.notice == digest_notice()


def test_an_image_content_id_must_fit_the_content_id_header() -> None:
    data = digest_notice().model_dump(mode="json")
    data["document"]["images"][0]["content_id"] = "<volume@kikimimi>"

    with pytest.raises(RecordError) as caught:
        parse_record(Notice, data)

    assert caught.value.field == "document.images.0.content_id"
