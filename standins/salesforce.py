"""Stand-in of a Salesforce org, for :class:`standins.server.StandinServer`.

:class:`SalesforceStandin` serves the client-credentials token endpoint and Case creation:
a Bearer check, known and required fields, picklists and a unique external-id field, with
Salesforce's error bodies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs

from standins.channel_faults import ChannelFaults
from standins.server import Reply, Request, json_reply

__all__ = ["INVALID_SESSION", "SalesforceStandin"]

CASE_FIELDS = frozenset(
    {"AccountId", "AssetId", "ContactId", "Description", "Origin", "OwnerId", "ParentId"}
    | {"Priority", "Reason", "RecordTypeId", "Status", "Subject", "SuppliedCompany"}
    | {"SuppliedEmail", "SuppliedName", "SuppliedPhone", "Type", "Language"}
)
CASE_PRIORITIES = frozenset({"High", "Medium", "Low"})
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def _sf_error(status: int, code: str, message: str, fields: list[str] | None = None) -> Reply:
    return json_reply(status, [{"message": message, "errorCode": code, "fields": fields or []}])


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
        self.faults = ChannelFaults()
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
            return json_reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )
        ok_id = hmac.compare_digest(form.get("client_id", [""])[0], self.client_id)
        ok_secret = hmac.compare_digest(form.get("client_secret", [""])[0], self.client_secret)
        if not (ok_id and ok_secret):
            return json_reply(
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
        return json_reply(200, body)

    def _create_case(self, request: Request) -> Reply:
        auth = request.headers.get("authorization", "")
        with self._lock:
            valid = auth.startswith("Bearer ") and auth.removeprefix("Bearer ") in self.tokens
        if not valid:
            return json_reply(401, INVALID_SESSION)
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
        return json_reply(201, {"id": case_id, "success": True, "errors": []})

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
