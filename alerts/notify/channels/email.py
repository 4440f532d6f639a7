"""Mail through SMTP: multipart plain text + HTML, one message per notice.

The ``Message-ID`` is derived from the notice key, so a re-sent notice is the same message
to every mail client (they show it once). Every value in the HTML part is HTML-escaped. A
notice with a document (a digest) is sent as its maker laid it out: the body as the plain
part (control characters removed) and the document's HTML, its images inline
(``multipart/related``, each by its ``Content-ID``).
SMTP replies 4xx and connection problems are retryable; 5xx replies, refused logins and a
server that lacks STARTTLS are permanent.
"""

from __future__ import annotations

import hashlib
import html
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from alerts.notify.channels.base import RedactingChannel, header_value
from alerts.notify.render import RenderedNotice, cut, render
from config import EmailChannelSettings
from core import DeliveryError, Notice, secrets_in, visible_text

__all__ = ["EmailChannel", "email_message", "message_id"]

log = logging.getLogger(__name__)


def message_id(key: str, from_address: str) -> str:
    """``<hash-of-key.kikimimi@sender-domain>``: the same key gives the same Message-ID."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    domain = from_address.rpartition("@")[2] or "kikimimi.invalid"
    return f"<{digest}.kikimimi@{domain}>"


def _html(parts: RenderedNotice) -> str:
    e = html.escape
    body = "<br>\n".join(e(line) for line in parts.body.splitlines())
    rows = "\n".join(
        f'<tr><th align="left">{e(label)}</th><td>{e(value)}</td></tr>'
        for label, value in parts.facts
    )
    link = f'<p><a href="{e(parts.link, quote=True)}">Open the post</a></p>\n' if parts.link else ""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        f"<h2>{e(parts.subject)}</h2>\n<p>{body}</p>\n<table>\n{rows}\n</table>\n{link}"
        "</body></html>\n"
    )


def email_message(notice: Notice, settings: EmailChannelSettings) -> EmailMessage:
    """The message for ``notice``: Subject, From, To, Date, Message-ID, plain + HTML parts."""
    parts = render(notice)
    message = EmailMessage()
    message["Subject"] = cut(parts.subject, 200)
    message["From"] = settings.from_address
    message["To"] = ", ".join(settings.to)
    message["Date"] = format_datetime(notice.created_at)
    message["Message-ID"] = message_id(notice.key, settings.from_address)
    message["X-Kikimimi-Event"] = notice.kind
    message["X-Kikimimi-Delivery"] = header_value(notice.key)
    document = notice.document
    if document is None:
        message.set_content(parts.plain_text())
        message.add_alternative(_html(parts), subtype="html")
        return message
    message.set_content(visible_text(notice.body).strip() + "\n")
    message.add_alternative(document.html, subtype="html")
    *_, html_part = message.iter_parts()
    for image in document.images:
        kind, _, subtype = image.media_type.partition("/")
        html_part.add_related(
            image.data, kind, subtype, cid=f"<{image.content_id}>", filename=image.content_id
        )
    return message


class EmailChannel(RedactingChannel):
    """Sends each notice as one mail to ``settings.to``.

    ``ssl_context`` replaces the default (system CAs, host name checked), e.g. to trust a
    private CA.
    """

    def __init__(
        self, settings: EmailChannelSettings, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(settings.name, secrets_in(settings))
        self.settings = settings
        self._ssl = ssl_context or ssl.create_default_context()

    def _send(self, notice: Notice) -> None:
        message = email_message(notice, self.settings)
        where = f"SMTP server {self.settings.host}:{self.settings.effective_port}"
        try:
            refused = self._deliver(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            retryable = all(400 <= code < 500 for code in codes)
            detail = "; ".join(
                f"{address}: {code} {_text(reply)}"
                for address, (code, reply) in error.recipients.items()
            )
            raise DeliveryError(retryable, f"{where} refused every recipient: {detail}") from None
        except smtplib.SMTPResponseException as error:
            retryable = 400 <= error.smtp_code < 500
            reply = f"{error.smtp_code} {_text(error.smtp_error)}"
            raise DeliveryError(retryable, f"{where} answered {reply}") from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(False, f"{where}: {error}") from None
        except smtplib.SMTPServerDisconnected as error:
            raise DeliveryError(True, f"{where} disconnected: {error}") from None
        except smtplib.SMTPException as error:
            raise DeliveryError(False, f"{where}: {error}") from None
        except ssl.SSLCertVerificationError as error:
            reason = f"{where}: certificate not trusted: {error.verify_message}"
            raise DeliveryError(False, reason) from None
        except (OSError, TimeoutError) as error:
            reason = "timed out" if isinstance(error, TimeoutError) else str(error)
            raise DeliveryError(True, f"{where}: {reason}") from None
        if refused:
            log.warning(
                "mail %s was refused for %s; delivered to the others",
                notice.key,
                ", ".join(sorted(refused)),
            )

    def _deliver(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        s = self.settings
        timeout = s.timeout_seconds
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.effective_port, timeout=timeout, context=self._ssl)
        else:
            smtp = smtplib.SMTP(s.host, s.effective_port, timeout=timeout)
        with smtp:
            if s.security == "starttls":
                smtp.starttls(context=self._ssl)
            if s.username is not None and s.password is not None:
                smtp.login(s.username, s.password.get_secret_value())
            return smtp.send_message(message, s.from_address, list(s.to))


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return cut(" ".join(text.split()), 200)
