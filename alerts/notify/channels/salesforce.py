"""Salesforce Cases through the REST API, authorised by the OAuth 2.0 client-credentials flow.

``POST {token_url}`` (form: ``grant_type=client_credentials``, ``client_id``,
``client_secret``) answers ``access_token`` and ``instance_url``; the token is kept until its
``expires_in`` (when given) or until the API answers 401, then fetched again once. A case is
``POST {instance_url}/services/data/{api_version}/sobjects/Case/`` with the mapped fields;
success is ``201 {"id", "success": true, "errors": []}``, failures a JSON list of
``{"message", "errorCode", "fields"}``. With ``case.key_field`` (a unique external-id field)
the notice key is stored on the case and a ``DUPLICATE_VALUE`` answer on that field counts as
already delivered.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from alerts.notify.channels.base import (
    HttpResponse,
    RedactingChannel,
    http_post,
    raise_for_status,
    safe_origin,
)
from alerts.notify.render import cut, render
from config import SalesforceChannelSettings
from core import DeliveryError, Notice, secrets_in

__all__ = ["SalesforceChannel", "case_fields"]

EXPIRY_MARGIN_SECONDS = 60.0
RETRYABLE_CODES = frozenset({"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"})


@dataclass(frozen=True)
class _Token:
    access_token: str
    instance_url: str
    expires_at: float | None


def case_fields(notice: Notice, settings: SalesforceChannelSettings) -> dict[str, str]:
    """The Case fields for ``notice``: subject, description, priority, origin, status, key."""
    case = settings.case
    parts = render(notice)
    fields = {
        case.subject_field: cut(parts.subject, 255),
        case.description_field: cut(parts.plain_text(), 32000),
        case.priority_field: case.priorities.get(notice.priority or "normal", "Medium"),
        "Origin": case.origin,
        "Status": case.status,
    }
    if case.key_field is not None:
        fields[case.key_field] = notice.key
    fields.update(case.fields)
    return fields


class SalesforceChannel(RedactingChannel):
    """Creates one Case per notice."""

    def __init__(self, settings: SalesforceChannelSettings) -> None:
        super().__init__(settings.name, secrets_in(settings))
        self.settings = settings
        self._token: _Token | None = None
        self._lock = threading.Lock()

    def _send(self, notice: Notice) -> None:
        body = json.dumps(case_fields(notice, self.settings), ensure_ascii=False).encode()
        token = self._current_token()
        response = self._create(token, body)
        if response.status == 401:
            self._forget(token)
            response = self._create(self._current_token(), body)
            if response.status == 401:
                raise DeliveryError(
                    False, "Salesforce refused a freshly issued access token (HTTP 401)", status=401
                )
        self._check(response, self.settings.case.key_field)

    def _create(self, token: _Token, body: bytes) -> HttpResponse:
        url = (
            f"{token.instance_url.rstrip('/')}/services/data/"
            f"{self.settings.api_version}/sobjects/Case/"
        )
        headers = {
            "Authorization": f"Bearer {token.access_token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        return http_post(url, body, headers, self.settings.timeout_seconds)

    def _check(self, response: HttpResponse, key_field: str | None) -> None:
        errors = _errors(response)
        if 200 <= response.status < 300:
            data = _json(response)
            if isinstance(data, dict) and data.get("success") is False:
                raise DeliveryError(False, f"Salesforce did not create the case: {errors}")
            return
        if key_field and any(
            e.get("errorCode") == "DUPLICATE_VALUE"
            and (key_field in (e.get("fields") or []) or key_field in str(e.get("message")))
            for e in _error_list(response)
        ):
            return  # created by an earlier attempt whose answer was lost
        codes = {e.get("errorCode") for e in _error_list(response)}
        if response.status >= 400 and codes & RETRYABLE_CODES:
            raise DeliveryError(True, f"Salesforce is busy: {errors}", status=response.status)
        if errors and response.status < 500 and response.status not in (408, 429):
            raise DeliveryError(
                False,
                f"Salesforce refused the case (HTTP {response.status}): {errors}",
                status=response.status,
            )
        raise_for_status(response, "Salesforce")

    def _current_token(self) -> _Token:
        with self._lock:
            token = self._token
            if token is not None and (token.expires_at is None or token.expires_at > time.time()):
                return token
            self._token = self._fetch_token()
            return self._token

    def _forget(self, token: _Token) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch_token(self) -> _Token:
        s = self.settings
        url = s.effective_token_url
        form = urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": s.client_id.get_secret_value(),
                "client_secret": s.client_secret.get_secret_value(),
            }
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        response = http_post(url, form, headers, s.timeout_seconds)
        data = _json(response)
        where = f"Salesforce token endpoint {safe_origin(url)}"
        if response.status in (400, 401, 403) and isinstance(data, dict):
            error = data.get("error_description") or data.get("error") or response.text()
            raise DeliveryError(
                False, f"{where} refused the credentials: {error}", status=response.status
            )
        raise_for_status(response, where)
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise DeliveryError(True, f"{where} answered no access_token")
        access_token = data["access_token"]
        self.add_secret(access_token)
        try:
            expires_at: float | None = (
                time.time() + float(data["expires_in"]) - EXPIRY_MARGIN_SECONDS
            )
        except (KeyError, TypeError, ValueError):
            expires_at = None  # Salesforce usually omits it: the token lives until a 401
        instance_url = data.get("instance_url")
        if not isinstance(instance_url, str) or not instance_url.startswith(
            ("https://", "http://")
        ):
            instance_url = str(s.instance_url)
        return _Token(access_token, instance_url, expires_at)


def _json(response: HttpResponse) -> Any:
    try:
        return json.loads(response.body)
    except ValueError:
        return None


def _error_list(response: HttpResponse) -> list[dict[str, Any]]:
    data = _json(response)
    if isinstance(data, dict):
        data = data.get("errors")
    if not isinstance(data, list):
        return []
    return [e for e in data if isinstance(e, dict)]


def _errors(response: HttpResponse) -> str:
    items = [f"{e.get('errorCode', '?')}: {e.get('message', '')}" for e in _error_list(response)]
    return cut("; ".join(items), 500)
