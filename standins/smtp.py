"""Stand-in of an SMTP server: :class:`SmtpStandin`, threaded, on 127.0.0.1 (a free port).

It speaks EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, and keeps
the messages it accepts as :class:`ReceivedMail`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import socketserver
import ssl
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Self

from standins.background import BackgroundService

__all__ = ["ReceivedMail", "SmtpStandin"]


@dataclass(frozen=True)
class ReceivedMail:
    """A message the SMTP stand-in accepted."""

    mail_from: str
    rcpt_to: tuple[str, ...]
    data: bytes
    tls: bool
    user: str | None

    def message(self) -> EmailMessage:
        """The parsed message."""
        return message_from_bytes(self.data, policy=policy.default)


class SmtpStandin(BackgroundService):
    """A threaded SMTP server on 127.0.0.1 (a free port).

    ``tls`` (a server-side context) enables STARTTLS, or with ``implicit_tls`` TLS from the
    first byte (port-465 style); ``users`` enables AUTH PLAIN/LOGIN and,
    with ``require_auth``, refuses mail from unauthenticated sessions. ``fail_next`` makes the
    next DATA commands answer a given reply; ``refuse`` makes RCPT refuse those addresses.
    """

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        users: dict[str, str] | None = None,
        require_auth: bool = False,
    ) -> None:
        if implicit_tls and tls is None:
            raise ValueError("implicit_tls needs a tls context")
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.users = dict(users or {})
        self.require_auth = require_auth
        self.messages: list[ReceivedMail] = []
        self.refuse: dict[str, str] = {}  # address -> reply such as "550 5.1.1 no such user"
        self._data_faults: list[str] = []
        self._lock = threading.Lock()
        standin = self

        class _Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self) -> None:
                session = _SmtpSession(standin, self)
                try:
                    session.run()
                finally:
                    session.close()

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        if implicit_tls and tls is not None:  # every connection starts with the handshake
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def fail_next(self, times: int = 1, reply: str = "451 4.3.0 try again later") -> None:
        """Answer the next ``times`` DATA commands with ``reply``."""
        with self._lock:
            self._data_faults.extend([reply] * times)

    def _data_fault(self) -> str | None:
        with self._lock:
            return self._data_faults.pop(0) if self._data_faults else None

    def _accept(self, mail: ReceivedMail) -> None:
        with self._lock:
            self.messages.append(mail)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _SmtpSession:
    """One SMTP conversation."""

    def __init__(self, standin: SmtpStandin, handler: socketserver.StreamRequestHandler) -> None:
        self.standin = standin
        self.handler = handler
        self.rfile = handler.rfile
        self.wfile = handler.wfile
        self.tls = standin.implicit_tls
        self.user: str | None = None
        self.greeted = False
        self.mail_from: str | None = None
        self.rcpt_to: list[str] = []

    def close(self) -> None:
        if self.tls and not self.standin.implicit_tls:  # the handler closes only its own files
            self.rfile.close()
            self.wfile.close()
            self.handler.connection.close()

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def readline(self) -> str:
        return self.rfile.readline(65536).decode("utf-8", "replace").rstrip("\r\n")

    def run(self) -> None:
        self.reply("220 localhost Kikimimi SMTP stand-in")
        while True:
            line = self.readline()
            if not line:
                return
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            handler = getattr(self, f"do_{verb.lower()}", None)
            if handler is None:
                self.reply("502 5.5.2 command not recognised")
            else:
                handler(arg)

    def do_ehlo(self, arg: str) -> None:
        self.greeted = True
        lines = ["localhost", "8BITMIME", "SMTPUTF8"]
        if self.standin.tls is not None and not self.tls:
            lines.append("STARTTLS")
        if self.standin.users:
            lines.append("AUTH PLAIN LOGIN")
        for line in lines[:-1]:
            self.reply(f"250-{line}")
        self.reply(f"250 {lines[-1]}")

    def do_helo(self, arg: str) -> None:
        self.greeted = True
        self.reply("250 localhost")

    def do_noop(self, arg: str) -> None:
        self.reply("250 2.0.0 ok")

    def do_rset(self, arg: str) -> None:
        self.mail_from, self.rcpt_to = None, []
        self.reply("250 2.0.0 ok")

    def do_starttls(self, arg: str) -> None:
        if self.standin.tls is None or self.tls:
            self.reply("502 5.5.1 STARTTLS not available")
            return
        self.reply("220 2.0.0 ready to start TLS")
        sock = self.standin.tls.wrap_socket(self.handler.connection, server_side=True)
        self.handler.connection = sock
        self.rfile = sock.makefile("rb")
        self.wfile = sock.makefile("wb")
        self.tls, self.greeted, self.user = True, False, None

    def do_auth(self, arg: str) -> None:
        mechanism, _, initial = arg.partition(" ")
        if not self.standin.users:
            self.reply("502 5.5.1 AUTH not available")
            return
        try:
            if mechanism.upper() == "PLAIN":
                if not initial:
                    self.reply("334 ")
                    initial = self.readline()
                _, user, password = base64.b64decode(initial).decode().split("\0")
            elif mechanism.upper() == "LOGIN":
                if not initial:
                    self.reply("334 " + base64.b64encode(b"Username:").decode())
                    initial = self.readline()
                user = base64.b64decode(initial).decode()
                self.reply("334 " + base64.b64encode(b"Password:").decode())
                password = base64.b64decode(self.readline()).decode()
            else:
                self.reply("504 5.5.4 mechanism not supported")
                return
        except (ValueError, binascii.Error):
            self.reply("501 5.5.2 cannot decode the response")
            return
        expected = self.standin.users.get(user)
        if expected is None or not hmac.compare_digest(expected, password):
            self.reply("535 5.7.8 authentication credentials invalid")
            return
        self.user = user
        self.reply("235 2.7.0 authentication successful")

    def do_mail(self, arg: str) -> None:
        if not self.greeted:
            self.reply("503 5.5.1 say EHLO first")
        elif self.standin.require_auth and self.user is None:
            self.reply("530 5.7.0 authentication required")
        elif not arg.upper().startswith("FROM:"):
            self.reply("501 5.5.4 syntax: MAIL FROM:<address>")
        else:
            self.mail_from = _address(arg[5:])
            self.rcpt_to = []
            self.reply("250 2.1.0 ok")

    def do_rcpt(self, arg: str) -> None:
        if self.mail_from is None:
            self.reply("503 5.5.1 MAIL first")
            return
        if not arg.upper().startswith("TO:"):
            self.reply("501 5.5.4 syntax: RCPT TO:<address>")
            return
        address = _address(arg[3:])
        refusal = self.standin.refuse.get(address)
        if refusal:
            self.reply(refusal)
            return
        self.rcpt_to.append(address)
        self.reply("250 2.1.5 ok")

    def do_data(self, arg: str) -> None:
        if self.mail_from is None or not self.rcpt_to:
            self.reply("503 5.5.1 RCPT first")
            return
        self.reply("354 end data with <CR><LF>.<CR><LF>")
        lines: list[bytes] = []
        while True:
            raw = self.rfile.readline(1 << 20)
            if not raw or raw in (b".\r\n", b".\n"):
                break
            lines.append(raw[1:] if raw.startswith(b"..") else raw)
        fault = self.standin._data_fault()
        if fault is not None:
            self.reply(fault)
        else:
            mail = ReceivedMail(
                self.mail_from, tuple(self.rcpt_to), b"".join(lines), self.tls, self.user
            )
            self.standin._accept(mail)
            self.reply("250 2.0.0 queued")
        self.mail_from, self.rcpt_to = None, []


def _address(text: str) -> str:
    text = text.strip()
    address = text.split(">", 1)[0].lstrip("<") if text.startswith("<") else text.split(" ")[0]
    return address.strip()
