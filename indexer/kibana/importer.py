"""Import saved objects into Kibana through its saved-objects import API.

One ``POST /api/saved_objects/_import?overwrite=true`` (``/s/SPACE/api/...`` for a space),
the NDJSON as the multipart field ``file``, the ``kbn-xsrf`` header Kibana wants, and an
API key (``Authorization: ApiKey``) or basic auth when configured. ``overwrite`` replaces
only the objects that have our ids; nothing is ever deleted. Redirects are not followed
(the credentials must not travel to another host), and no error names a credential.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import secrets
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from config import KIBANA_SPACE_PATTERN, KibanaSettings
from core import KibanaError, NoRedirects, one_line
from indexer.kibana.saved_objects import SavedObject, to_ndjson

__all__ = ["ImportFailure", "ImportReport", "import_endpoint", "import_saved_objects"]

OPERATION = "import the saved objects into Kibana"
MAX_ANSWER = 1024 * 1024
USER_AGENT = "Kikimimi/0.1 (kibana import)"
DEFAULT_SPACE = "default"


@dataclass(frozen=True)
class ImportFailure:
    """One object Kibana did not import, and why (its words, as it answered)."""

    type: str
    id: str
    title: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """What Kibana answered: how many of the ``sent`` objects it imported, what failed."""

    sent: int
    success_count: int
    failures: tuple[ImportFailure, ...]

    @property
    def success(self) -> bool:
        return not self.failures and self.success_count == self.sent


def import_endpoint(url: str, space: str | None) -> str:
    """The import API's URL under Kibana's ``url`` (its base path kept), for ``space``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KibanaError(OPERATION, f"{url!r} is not an http(s) URL")
    if parts.username or parts.password:
        message = "the URL holds credentials: set kibana.api_key, or username and password"
        raise KibanaError(OPERATION, message)
    if space is not None and not re.fullmatch(KIBANA_SPACE_PATTERN, space):
        message = f"{space!r} is not a space id (lower-case letters, digits, _ and -)"
        raise KibanaError(OPERATION, message)
    base = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    in_space = f"/s/{space}" if space not in (None, DEFAULT_SPACE) else ""
    return f"{base}{in_space}/api/saved_objects/_import?overwrite=true"


def import_saved_objects(
    objects: Sequence[SavedObject], settings: KibanaSettings, url: str, space: str | None = None
) -> ImportReport:
    """Send ``objects`` to the Kibana at ``url`` (into ``space``, else the default space)."""
    endpoint = import_endpoint(url, space)
    boundary = f"kikimimi-{secrets.token_hex(16)}"
    body = b"".join(
        (
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="kikimimi.ndjson"\r\n',
            b"Content-Type: application/ndjson\r\n\r\n",
            to_ndjson(objects),
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "kbn-xsrf": "kikimimi",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        **_authorization(settings),
    }
    status, answer = _post(endpoint, body, headers, settings)
    where = f"Kibana at {_origin(endpoint)}"
    if status != 200:
        raise KibanaError(OPERATION, _refusal(status, answer, where, settings, space), status)
    try:
        result = json.loads(answer)
        success_count = int(result["successCount"])
        failures = tuple(_failure(error) for error in result.get("errors", []))
    except (AttributeError, KeyError, TypeError, ValueError):
        message = f"{where} did not answer as Kibana's import API does: is that Kibana's URL?"
        raise KibanaError(OPERATION, message, status) from None
    return ImportReport(len(objects), success_count, failures)


def _authorization(settings: KibanaSettings) -> dict[str, str]:
    if settings.api_key is not None:
        return {"Authorization": f"ApiKey {settings.api_key.get_secret_value()}"}
    if settings.username is not None and settings.password is not None:
        pair = f"{settings.username}:{settings.password.get_secret_value()}"
        return {"Authorization": f"Basic {base64.b64encode(pair.encode()).decode()}"}
    return {}


def _post(
    url: str, body: bytes, headers: Mapping[str, str], settings: KibanaSettings
) -> tuple[int, bytes]:
    """The status and (at most :data:`MAX_ANSWER` bytes of) body of Kibana's answer."""
    try:
        context = ssl.create_default_context(
            cafile=str(settings.ca_certs) if settings.ca_certs else None
        )
    except OSError as error:  # ssl.SSLError is one
        message = f"cannot use kibana.ca_certs {settings.ca_certs}: {_why(error)}"
        raise KibanaError(OPERATION, message) from None
    if not settings.verify_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(NoRedirects, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 (http(s) checked)
    origin = _origin(url)
    try:
        with opener.open(request, timeout=settings.timeout_seconds) as response:
            return response.status, response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        try:
            return error.code, error.read(MAX_ANSWER)
        except (OSError, http.client.HTTPException):
            return error.code, b""
        finally:
            error.close()
    except urllib.error.URLError as error:
        raise KibanaError(
            OPERATION, f"cannot reach Kibana at {origin}: {_why(error.reason)}"
        ) from None
    except (TimeoutError, OSError, http.client.HTTPException) as error:
        raise KibanaError(
            OPERATION, f"the request to Kibana at {origin} failed: {_why(error)}"
        ) from None


def _refusal(
    status: int, answer: bytes, where: str, settings: KibanaSettings, space: str | None
) -> str:
    said = _message(answer)
    said = f": {said}" if said else ""
    if 300 <= status < 400:
        return (
            f"{where} answered a redirect (HTTP {status}), which is not followed: "
            "give Kibana's own URL, with its base path if it has one"
        )
    if status == 401:
        has_credentials = settings.api_key is not None or settings.username is not None
        fix = (
            "check kibana.api_key, or kibana.username and kibana.password"
            if has_credentials
            else "set kibana.api_key, or kibana.username and kibana.password"
        )
        return f"{where} did not accept the credentials (HTTP 401){said}; {fix}"
    if status == 403:
        return f"{where} does not let these credentials import saved objects (HTTP 403){said}"
    if status == 404:
        return (
            f"{where} has no such API (HTTP 404){said}: is the URL Kibana's, with its base "
            f"path, and does the space {space or DEFAULT_SPACE!r} exist?"
        )
    return f"{where} refused the import (HTTP {status}){said}"


def _message(answer: bytes) -> str:
    """Kibana's error message in ``answer`` (its JSON ``message``, else the text), short."""
    text = answer.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        text = data["message"]
    text = one_line(text)
    return text if len(text) <= 300 else text[:299] + "…"


def _failure(error: Mapping[str, Any]) -> ImportFailure:
    detail = error.get("error", {})
    kind = detail.get("type", "unknown")
    if kind == "missing_references":
        missing = ", ".join(f"{r.get('type')}:{r.get('id')}" for r in detail.get("references", []))
        reason = f"missing references: {missing}"
    elif kind == "conflict":
        reason = "an object with this id exists already (conflict)"
    elif kind == "ambiguous_conflict":
        reason = "it matches several existing objects (ambiguous conflict)"
    elif kind == "unsupported_type":
        reason = "this Kibana does not know its type (unsupported type)"
    elif kind == "unknown" and "message" in detail:
        status = detail.get("statusCode")
        reason = f"{detail['message']}" + (f" (HTTP {status})" if status else "")
    else:
        reason = str(kind)
    title = error.get("meta", {}).get("title") or error.get("title") or ""
    return ImportFailure(str(error.get("type")), str(error.get("id")), str(title), reason)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _why(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    text = one_line(str(reason)) or type(reason).__name__
    return text if len(text) <= 200 else text[:199] + "…"
