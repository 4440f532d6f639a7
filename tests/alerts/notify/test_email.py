"""The email channel against the SMTP stand-in: message shape, escaping, TLS, login, errors."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from alerts.notify.channels.email import EmailChannel, email_message, message_id
from config.notifications import EmailChannelSettings
from core.errors import DeliveryError
from standins.smtp import SmtpStandin
from tests.alerts.notify.conftest import MakeNotice
from tests.self_signed import self_signed_certificate

PASSWORD = "smtp-pa55word-xyz"


@dataclass(frozen=True)
class Tls:
    """A self-signed certificate for 127.0.0.1: a server context and a client that trusts it."""

    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    cert_file, key_file = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return Tls(server, client)


def settings_for(
    smtp: SmtpStandin, security: str = "none", login: bool = False
) -> EmailChannelSettings:
    return EmailChannelSettings.model_validate(
        {
            "name": "mail",
            "type": "email",
            "host": smtp.host,
            "port": smtp.port,
            "security": security,
            "username": "care-bot" if login else None,
            "password": SecretStr(PASSWORD) if login else None,
            "from_address": "alerts@kikimimi.example",
            "to": ["care@hoshi.example", "lead@hoshi.example"],
            "timeout_seconds": 5,
        }
    )


@pytest.fixture
def smtp() -> Iterator[SmtpStandin]:
    with SmtpStandin() as server:
        yield server


def test_sends_a_multipart_message(smtp: SmtpStandin, notice_factory: MakeNotice) -> None:
    notice = notice_factory()
    EmailChannel(settings_for(smtp)).send(notice)
    (mail,) = smtp.messages
    assert mail.mail_from == "alerts@kikimimi.example"
    assert mail.rcpt_to == ("care@hoshi.example", "lead@hoshi.example")
    message = mail.message()
    assert message["Subject"].startswith("[high] Hoshi Mobile case opened")
    assert message["To"] == "care@hoshi.example, lead@hoshi.example"
    assert message["Message-ID"] == message_id(notice.key, "alerts@kikimimi.example")
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert "<!channel> Hoshi Mobile is down again" in plain.get_content()
    assert "rule: own-brand-negative-complaint" in plain.get_content().casefold()


def test_every_html_value_is_escaped(notice_factory: MakeNotice) -> None:
    settings = EmailChannelSettings(
        name="mail",
        type="email",
        host="localhost",
        from_address="alerts@kikimimi.example",
        to=["care@hoshi.example"],
    )
    message = email_message(notice_factory(), settings)
    html_part = message.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;user&lt;/b&gt;" in html  # the author handle
    assert '<a href="https://social.example/@angry/1">' in html


def test_a_javascript_url_is_not_linked(notice_factory: MakeNotice) -> None:
    settings = EmailChannelSettings(
        name="mail",
        type="email",
        host="localhost",
        from_address="alerts@kikimimi.example",
        to=["care@hoshi.example"],
    )
    message = email_message(notice_factory(url="javascript:alert(1)"), settings)
    html_part = message.get_body(("html",))
    assert html_part is not None
    assert "href" not in html_part.get_content()


def test_the_message_id_is_stable_per_key(smtp: SmtpStandin, notice_factory: MakeNotice) -> None:
    channel = EmailChannel(settings_for(smtp))
    channel.send(notice_factory(1))
    channel.send(notice_factory(1))
    channel.send(notice_factory(2))
    ids = [m.message()["Message-ID"] for m in smtp.messages]
    assert ids[0] == ids[1] != ids[2]


def test_starttls_and_login(tls: Tls, notice_factory: MakeNotice) -> None:
    with SmtpStandin(tls=tls.server, users={"care-bot": PASSWORD}, require_auth=True) as smtp:
        EmailChannel(settings_for(smtp, "starttls", login=True), ssl_context=tls.client).send(
            notice_factory()
        )
    (mail,) = smtp.messages
    assert mail.tls
    assert mail.user == "care-bot"


def test_implicit_tls(tls: Tls, notice_factory: MakeNotice) -> None:
    with SmtpStandin(tls=tls.server, implicit_tls=True) as smtp:
        EmailChannel(settings_for(smtp, "ssl"), ssl_context=tls.client).send(notice_factory())
    (mail,) = smtp.messages
    assert mail.tls


def test_an_untrusted_certificate_is_permanent(tls: Tls, notice_factory: MakeNotice) -> None:
    with SmtpStandin(tls=tls.server) as smtp, pytest.raises(DeliveryError) as caught:
        EmailChannel(settings_for(smtp, "starttls")).send(notice_factory())
    assert not caught.value.retryable
    assert "certificate" in caught.value.reason


def test_a_server_without_starttls_is_permanent(
    smtp: SmtpStandin, notice_factory: MakeNotice
) -> None:
    with pytest.raises(DeliveryError) as caught:
        EmailChannel(settings_for(smtp, "starttls")).send(notice_factory())
    assert not caught.value.retryable
    assert smtp.messages == []


def test_a_wrong_password_is_permanent_and_not_shown(notice_factory: MakeNotice) -> None:
    with SmtpStandin(users={"care-bot": "other"}) as smtp, pytest.raises(DeliveryError) as caught:
        EmailChannel(settings_for(smtp, login=True)).send(notice_factory())
    assert not caught.value.retryable
    assert "535" in caught.value.reason
    assert PASSWORD not in str(caught.value)


def test_4xx_is_retryable_and_5xx_permanent(smtp: SmtpStandin, notice_factory: MakeNotice) -> None:
    channel = EmailChannel(settings_for(smtp))
    smtp.fail_next(1, "451 4.3.0 mailbox busy")
    with pytest.raises(DeliveryError) as caught:
        channel.send(notice_factory())
    assert caught.value.retryable
    smtp.fail_next(1, "554 5.6.0 message rejected")
    with pytest.raises(DeliveryError) as caught:
        channel.send(notice_factory())
    assert not caught.value.retryable
    channel.send(notice_factory())
    assert len(smtp.messages) == 1


def test_refused_recipients(smtp: SmtpStandin, notice_factory: MakeNotice) -> None:
    channel = EmailChannel(settings_for(smtp))
    smtp.refuse["lead@hoshi.example"] = "550 5.1.1 no such user"
    channel.send(notice_factory())  # one recipient took it
    assert smtp.messages[0].rcpt_to == ("care@hoshi.example",)
    smtp.refuse["care@hoshi.example"] = "450 4.2.1 try later"
    with pytest.raises(DeliveryError) as caught:
        channel.send(notice_factory())
    assert not caught.value.retryable  # 550 for one of them is final
    smtp.refuse["lead@hoshi.example"] = "452 4.2.2 mailbox full"
    with pytest.raises(DeliveryError) as caught:
        channel.send(notice_factory())
    assert caught.value.retryable


def test_no_server_is_retryable(notice_factory: MakeNotice) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = EmailChannelSettings(
        name="mail",
        type="email",
        host="127.0.0.1",
        port=port,
        security="none",
        from_address="alerts@kikimimi.example",
        to=["care@hoshi.example"],
    )
    with pytest.raises(DeliveryError) as caught:
        EmailChannel(settings).send(notice_factory())
    assert caught.value.retryable
