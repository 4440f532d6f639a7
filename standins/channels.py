"""Local checking servers for the notification channels (tests and the demo).

The HTTP ones are request handlers for :class:`standins.server.StandinServer`
(``with StandinServer(WebhookSink(secret)) as server: ...``); they check what a real service
checks and answer as it does:

- :class:`WebhookSink`: verifies ``X-Kikimimi-Signature`` (HMAC-SHA256 of the body) and the
  timestamp, records each notice once per ``X-Kikimimi-Delivery``; can fail with 503 for N
  requests or until switched back, or hold requests until released.
- :class:`SlackSink`: an incoming webhook; ``text`` required, blocks of known types with valid
  text objects; answers ``ok`` or Slack's plain-text errors.
- :class:`SalesforceStandin`: the client-credentials token endpoint and Case creation
  (Bearer check, known and required fields, picklists, a unique external-id field).
- :class:`ZendeskStandin`: ticket creation with Basic ``email/token:api_token`` auth, body
  schema, ``Idempotency-Key`` replay, and 429 with ``Retry-After`` on demand.

:class:`SmtpStandin` is a small threaded SMTP server (EHLO, STARTTLS, AUTH PLAIN/LOGIN,
MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps the messages it accepts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Self, cast
from urllib.parse import parse_qs

from alerts.notify.channels.base import header_value
from core import Notice, RecordError, parse_record
from standins.background import BackgroundService
from standins.server import Reply, Request

__all__ = [
    "INVALID_SESSION",
    "ReceivedMail",
    "SalesforceStandin",
    "SlackSink",
    "SmtpStandin",
    "WebhookSink",
    "ZendeskStandin",
    "slack_block_problems",
]


def _json_reply(status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, headers=headers or {})


def _text_reply(status: int, text: str) -> Reply:
    return Reply(status, text.encode(), "text/html")


class _Faults:
    """Fail the next N requests, or all until switched back, or hold them until released."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._remaining = 0
        self._down = False
        self._reply: Reply | None = None
        self._gate: threading.Event | None = None

    def fail(self, times: int, reply: Reply) -> None:
        with self._lock:
            self._remaining, self._reply = times, reply

    def go_down(self, reply: Reply) -> None:
        with self._lock:
            self._down, self._reply = True, reply

    def come_back(self) -> None:
        with self._lock:
            self._down, self._remaining = False, 0

    def hold(self) -> threading.Event:
        gate = threading.Event()
        with self._lock:
            self._gate = gate
        return gate

    def release(self) -> None:
        with self._lock:
            gate, self._gate = self._gate, None
        if gate is not None:
            gate.set()

    def take(self) -> Reply | None:
        with self._lock:
            gate = self._gate
        if gate is not None:
            gate.wait(60)
        with self._lock:
            if self._down:
                return self._reply
            if self._remaining > 0:
                self._remaining -= 1
                return self._reply
        return None


def unavailable(retry_after: int | None = None) -> Reply:
    """A 503 (with ``Retry-After`` when given)."""
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Reply(503, b'{"error": "unavailable"}', headers=headers)


class WebhookSink:
    """The receiving end of the generic webhook channel."""

    def __init__(
        self,
        secret: str | None = None,
        *,
        path: str = "/hooks/kikimimi",
        max_skew_seconds: float = 300.0,
    ) -> None:
        self.secret = secret
        self.path = path
        self.max_skew_seconds = max_skew_seconds
        self.deliveries: dict[str, Notice] = {}  # first accepted notice per key
        self.accepted: list[str] = []  # the key of every accepted request, repeats included
        self.rejected: list[tuple[int, str]] = []  # (status, why) of refused requests
        self.faults = _Faults()
        self._lock = threading.Lock()

    def fail(self, times: int, retry_after: int | None = None) -> None:
        """Answer the next ``times`` requests with 503."""
        self.faults.fail(times, unavailable(retry_after))

    def go_down(self, retry_after: int | None = None) -> None:
        """Answer 503 until :meth:`come_back`."""
        self.faults.go_down(unavailable(retry_after))

    def come_back(self) -> None:
        self.faults.come_back()

    @property
    def duplicates(self) -> int:
        """Accepted requests that repeated a key already delivered."""
        with self._lock:
            return len(self.accepted) - len(self.deliveries)

    def __call__(self, request: Request) -> Reply:
        if request.path != self.path:
            return self._reject(404, "no such hook")
        if request.method != "POST":
            return self._reject(405, "POST only")
        fault = self.faults.take()
        if fault is not None:
            return fault
        if not request.headers.get("content-type", "").startswith("application/json"):
            return self._reject(415, "Content-Type must be application/json")
        problem = self._signature_problem(request)
        if problem:
            return self._reject(401, problem)
        try:
            notice = parse_record(Notice, request.body)
        except RecordError as error:
            return self._reject(400, str(error))
        if request.headers.get("x-kikimimi-delivery") != header_value(notice.key):
            return self._reject(400, "X-Kikimimi-Delivery does not match the notice key")
        if request.headers.get("x-kikimimi-event") != notice.kind:
            return self._reject(400, "X-Kikimimi-Event does not match the notice kind")
        with self._lock:
            duplicate = notice.key in self.deliveries
            self.deliveries.setdefault(notice.key, notice)
            self.accepted.append(notice.key)
        return _json_reply(200, {"ok": True, "duplicate": duplicate})

    def _signature_problem(self, request: Request) -> str | None:
        if self.secret is None:
            return None
        signature = request.headers.get("x-kikimimi-signature", "")
        expected = "sha256=" + hmac.new(self.secret.encode(), request.body, "sha256").hexdigest()
        if not hmac.compare_digest(signature, expected):
            return "bad or missing X-Kikimimi-Signature"
        try:
            skew = abs(time.time() - int(request.headers.get("x-kikimimi-timestamp", "")))
        except ValueError:
            return "bad or missing X-Kikimimi-Timestamp"
        return "stale X-Kikimimi-Timestamp" if skew > self.max_skew_seconds else None

    def _reject(self, status: int, why: str) -> Reply:
        with self._lock:
            self.rejected.append((status, why))
        return _json_reply(status, {"error": why})


SLACK_BLOCK_TYPES = frozenset(
    {"actions", "context", "divider", "file", "header", "image", "input", "markdown"}
    | {"rich_text", "section", "video"}
)


def _text_object_problem(obj: Any, limit: int, plain_only: bool = False) -> str | None:
    if not isinstance(obj, dict):
        return "a text object must be an object"
    kind, text = obj.get("type"), obj.get("text")
    if kind not in (("plain_text",) if plain_only else ("plain_text", "mrkdwn")):
        return f"bad text object type {kind!r}"
    if not isinstance(text, str) or not text:
        return "a text object needs non-empty text"
    if len(text) > limit:
        return f"text longer than {limit} characters"
    allowed = {"type", "text", "emoji"} if kind == "plain_text" else {"type", "text", "verbatim"}
    extra = set(obj) - allowed
    return f"unknown text object fields {sorted(extra)}" if extra else None


def slack_block_problems(blocks: Any) -> list[str]:
    """What Slack would refuse in ``blocks`` (the checks the channel relies on)."""
    if not isinstance(blocks, list):
        return ["blocks must be a list"]
    problems: list[str] = []
    if len(blocks) > 50:
        problems.append("more than 50 blocks")
    for index, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in SLACK_BLOCK_TYPES:
            problems.append(f"block {index}: unknown type {kind!r}")
            continue
        block = cast(dict[str, Any], block)
        problem: str | None = None
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problem = "a section needs text or fields"
            elif "text" in block:
                problem = _text_object_problem(block["text"], 3000)
        elif kind == "header":
            problem = _text_object_problem(block.get("text"), 150, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problem = "a context needs 1 to 10 elements"
            else:
                problem = next(
                    filter(None, (_text_object_problem(e, 3000) for e in elements)), None
                )
        if problem:
            problems.append(f"block {index}: {problem}")
    return problems


class SlackSink:
    """A Slack incoming webhook at ``path``: answers ``ok`` or Slack's plain-text errors."""

    def __init__(self, path: str = "/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX") -> None:
        self.path = path
        self.messages: list[dict[str, Any]] = []
        self.faults = _Faults()
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        if request.path != self.path:
            return _text_reply(404, "no_service")
        if request.method != "POST":
            return _text_reply(405, "invalid_method")
        fault = self.faults.take()
        if fault is not None:
            return fault
        try:
            payload = json.loads(request.body)
        except ValueError:
            return _text_reply(400, "invalid_payload")
        if not isinstance(payload, dict):
            return _text_reply(400, "invalid_payload")
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            return _text_reply(400, "no_text")
        if "blocks" in payload and slack_block_problems(payload["blocks"]):
            return _text_reply(400, "invalid_blocks")
        with self._lock:
            self.messages.append(payload)
        return _text_reply(200, "ok")


CASE_FIELDS = frozenset(
    {"AccountId", "AssetId", "ContactId", "Description", "Origin", "OwnerId", "ParentId"}
    | {"Priority", "Reason", "RecordTypeId", "Status", "Subject", "SuppliedCompany"}
    | {"SuppliedEmail", "SuppliedName", "SuppliedPhone", "Type", "Language"}
)
CASE_PRIORITIES = frozenset({"High", "Medium", "Low"})
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def _sf_error(status: int, code: str, message: str, fields: list[str] | None = None) -> Reply:
    return _json_reply(status, [{"message": message, "errorCode": code, "fields": fields or []}])


class SalesforceStandin:
    """A Salesforce org: the client-credentials token endpoint and Case creation."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        api_version: str = "v62.0",
        required: tuple[str, ...] = ("Subject", "Status", "Origin"),
        unique_field: str | None = None,
        expires_in: int | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.api_version = api_version
        self.required = required
        self.unique_field = unique_field
        self.expires_in = expires_in
        self.cases: dict[str, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.faults = _Faults()
        self._lock = threading.Lock()

    def expire_tokens(self) -> None:
        """Invalidate every issued token (the next API call answers 401)."""
        with self._lock:
            self.tokens.clear()

    def __call__(self, request: Request) -> Reply:
        if request.method != "POST":
            return _sf_error(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed")
        if request.path == "/services/oauth2/token":
            return self._token(request)
        if request.path.rstrip("/") == f"/services/data/{self.api_version}/sobjects/Case":
            return self._create_case(request)
        return _sf_error(404, "NOT_FOUND", "The requested resource does not exist")

    def _token(self, request: Request) -> Reply:
        form = parse_qs(request.body.decode("utf-8", "replace"))
        with self._lock:
            self.token_requests += 1
        if form.get("grant_type") != ["client_credentials"]:
            return _json_reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )
        ok_id = hmac.compare_digest(form.get("client_id", [""])[0], self.client_id)
        ok_secret = hmac.compare_digest(form.get("client_secret", [""])[0], self.client_secret)
        if not (ok_id and ok_secret):
            return _json_reply(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        token = "00D000000000001!" + secrets.token_urlsafe(32)
        with self._lock:
            self.tokens.add(token)
        host = request.headers.get("host", "127.0.0.1")
        body: dict[str, Any] = {
            "access_token": token,
            "instance_url": f"http://{host}",
            "id": f"http://{host}/id/00D000000000001/005000000000001",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": base64.b64encode(hashlib.sha256(token.encode()).digest()).decode(),
        }
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return _json_reply(200, body)

    def _create_case(self, request: Request) -> Reply:
        auth = request.headers.get("authorization", "")
        with self._lock:
            valid = auth.startswith("Bearer ") and auth.removeprefix("Bearer ") in self.tokens
        if not valid:
            return _json_reply(401, INVALID_SESSION)
        fault = self.faults.take()
        if fault is not None:
            return fault
        try:
            fields = json.loads(request.body)
        except ValueError:
            return _sf_error(400, "JSON_PARSER_ERROR", "Unexpected character in the request body")
        if not isinstance(fields, dict):
            return _sf_error(400, "JSON_PARSER_ERROR", "Expected an object for a Case")
        problem = self._field_problem(fields)
        if problem is not None:
            return problem
        with self._lock:
            if self.unique_field and fields.get(self.unique_field) is not None:
                for case_id, case in self.cases.items():
                    if case.get(self.unique_field) == fields[self.unique_field]:
                        message = (
                            f"duplicate value found: {self.unique_field} duplicates value on"
                            f" record with id: {case_id}"
                        )
                        return _sf_error(400, "DUPLICATE_VALUE", message, [self.unique_field])
            case_id = f"500{len(self.cases) + 1:015d}"
            self.cases[case_id] = fields
        return _json_reply(201, {"id": case_id, "success": True, "errors": []})

    def _field_problem(self, fields: dict[str, Any]) -> Reply | None:
        for name, value in fields.items():
            if name not in CASE_FIELDS and not name.endswith("__c"):
                message = f"No such column '{name}' on sobject of type Case"
                return _sf_error(400, "INVALID_FIELD", message, [name])
            if value is not None and not isinstance(value, str | int | float | bool):
                message = f"Cannot deserialize instance of {name} from a JSON value"
                return _sf_error(400, "JSON_PARSER_ERROR", message, [name])
        missing = [name for name in self.required if not fields.get(name)]
        if missing:
            message = f"Required fields are missing: [{', '.join(missing)}]"
            return _sf_error(400, "REQUIRED_FIELD_MISSING", message, missing)
        priority = fields.get("Priority")
        if priority is not None and priority not in CASE_PRIORITIES:
            message = f"Priority: bad value for restricted picklist field: {priority}"
            return _sf_error(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message, ["Priority"])
        return None


TICKET_FIELDS = frozenset(
    {"subject", "comment", "priority", "tags", "external_id", "type", "status", "requester"}
    | {"requester_id", "assignee_id", "group_id", "custom_fields", "brand_id", "due_at"}
)
TICKET_PRIORITIES = frozenset({"urgent", "high", "normal", "low"})


def _record_invalid(field: str, description: str) -> Reply:
    details = {field: [{"description": description, "error": "InvalidValue"}]}
    return _json_reply(
        422,
        {"error": "RecordInvalid", "description": "Record validation errors", "details": details},
    )


class ZendeskStandin:
    """A Zendesk Support account: ``POST /api/v2/tickets.json`` for one API token."""

    def __init__(self, email: str, api_token: str) -> None:
        self.email = email
        self.api_token = api_token
        self.tickets: dict[int, dict[str, Any]] = {}
        self.faults = _Faults()
        self._idempotent: dict[str, tuple[str, Reply]] = {}
        self._lock = threading.Lock()

    def rate_limit(self, times: int, retry_after: int = 1) -> None:
        """Answer the next ``times`` requests 429 with ``Retry-After``."""
        reply = _json_reply(
            429,
            {"error": "TooManyRequests", "description": "Rate limit exceeded"},
            {"Retry-After": str(retry_after)},
        )
        self.faults.fail(times, reply)

    def __call__(self, request: Request) -> Reply:
        if request.path != "/api/v2/tickets.json":
            return _json_reply(404, {"error": "InvalidEndpoint", "description": "Not found"})
        if request.method != "POST":
            return _json_reply(405, {"error": "MethodNotAllowed"})
        expected = base64.b64encode(f"{self.email}/token:{self.api_token}".encode()).decode()
        if not hmac.compare_digest(request.headers.get("authorization", ""), f"Basic {expected}"):
            return _json_reply(401, {"error": "Couldn't authenticate you"})
        fault = self.faults.take()
        if fault is not None:
            return fault
        key = request.headers.get("idempotency-key")
        body_hash = hashlib.sha256(request.body).hexdigest()
        with self._lock:
            if key is not None and key in self._idempotent:
                earlier_hash, reply = self._idempotent[key]
                if earlier_hash != body_hash:
                    return _json_reply(
                        400,
                        {
                            "error": "IdempotentRequestError",
                            "description": "Request parameters don't match the given"
                            " idempotency key",
                        },
                    )
                return Reply(
                    reply.status,
                    reply.body,
                    reply.content_type,
                    {**reply.headers, "x-idempotency-lookup": "hit"},
                )
            reply = self._create(request)
            if key is not None and reply.status == 201:
                self._idempotent[key] = (body_hash, reply)
        return reply

    def _create(self, request: Request) -> Reply:
        try:
            payload = json.loads(request.body)
        except ValueError:
            return _json_reply(400, {"error": "Unprocessable Entity", "description": "bad JSON"})
        ticket = payload.get("ticket") if isinstance(payload, dict) else None
        if not isinstance(ticket, dict):
            return _record_invalid("ticket", "a ticket object is required")
        extra = sorted(set(ticket) - TICKET_FIELDS)
        if extra:
            return _record_invalid(extra[0], f"unknown ticket field {extra[0]}")
        comment = ticket.get("comment")
        text = (
            (comment.get("body") or comment.get("html_body")) if isinstance(comment, dict) else None
        )
        if not isinstance(text, str) or not text.strip():
            return _record_invalid("description", "Description: cannot be blank")
        if ticket.get("priority") not in (None, *TICKET_PRIORITIES):
            return _record_invalid("priority", f"Priority: {ticket['priority']} is not valid")
        tags = ticket.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            return _record_invalid("tags", "Tags: must be a list of strings")
        if any(" " in t for t in tags):
            return _record_invalid("tags", "Tags: may not contain spaces")
        if not isinstance(ticket.get("external_id", ""), str):
            return _record_invalid("external_id", "External id: must be a string")
        ticket_id = len(self.tickets) + 1
        url = f"/api/v2/tickets/{ticket_id}.json"
        stored = {
            "id": ticket_id,
            "url": url,
            "subject": ticket.get("subject"),
            "description": text,
            "priority": ticket.get("priority"),
            "status": "new",
            "tags": tags,
            "external_id": ticket.get("external_id"),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self.tickets[ticket_id] = stored
        headers = {"Location": url, "x-idempotency-lookup": "miss"}
        return _json_reply(201, {"ticket": stored}, headers)


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
