"""What every channel is, and the HTTP plumbing the HTTP channels share.

A channel ``send``\\ s one notice or raises :class:`~core.errors.DeliveryError`:
retryable for connection problems, timeouts, 408, 429 and 5xx (with ``retry_after`` from a
``Retry-After`` header), permanent otherwise. Requests use only ``urllib.request``, never
follow redirects (credentials must not travel to another host), and error reasons are
redacted: they name the host, never a path, query or secret.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlsplit

from core import DeliveryError, NoRedirects, Notice, SecretRedactor, retry_after_seconds

__all__ = [
    "USER_AGENT",
    "Channel",
    "HttpResponse",
    "RedactingChannel",
    "header_value",
    "http_post",
    "raise_for_status",
    "safe_origin",
]

USER_AGENT = "Kikimimi/0.1 (notifications)"
MAX_BODY = 64 * 1024
RETRYABLE_STATUSES = frozenset({408, 425, 429})


class Channel(Protocol):
    """A place notices go to; ``send`` returns once the channel has taken the notice."""

    @property
    def name(self) -> str:
        """The configured channel name (``Notice.channel``)."""
        ...

    def send(self, notice: Notice) -> None:
        """Deliver one notice or raise DeliveryError."""
        ...


@dataclass(frozen=True)
class HttpResponse:
    """A response as read: status, lower-cased headers and (at most 64 KiB of) body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def text(self, limit: int = 300) -> str:
        """The body as text, whitespace-collapsed and cut to ``limit`` characters."""
        text = " ".join(self.body.decode("utf-8", "replace").split())
        return text if len(text) <= limit else text[: limit - 1] + "…"


_OPENER = urllib.request.build_opener(NoRedirects)


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname}{port}"


def safe_origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL: no credentials, path or query (they may be secret)."""
    return _origin(url) or "(an invalid URL)"


def header_value(text: str) -> str:
    """``text`` percent-encoded where it is not visible ASCII (so it fits an HTTP header)."""
    return quote(text, safe="!#$&'()*+,/:;=?@[]^_`{|}~-.")


def http_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> HttpResponse:
    """POST ``body``; any HTTP answer is returned, a transport failure raises (retryable).

    The raised DeliveryError names only the URL's origin.
    """
    origin = _origin(url)
    if origin is None:
        raise DeliveryError(False, "not a valid http(s) URL")
    try:
        request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (checked)
        request.add_header("User-Agent", USER_AGENT)
        for name, value in headers.items():
            request.add_header(name, value)
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpResponse(
                response.status, _lower(response.headers.items()), response.read(MAX_BODY)
            )
    except urllib.error.HTTPError as error:
        try:
            data = error.read(MAX_BODY)
        except (OSError, http.client.HTTPException):
            data = b""
        finally:
            error.close()
        return HttpResponse(error.code, _lower(error.headers.items()), data)
    except http.client.InvalidURL:
        raise DeliveryError(False, f"invalid URL for {origin}") from None
    except urllib.error.URLError as error:
        raise DeliveryError(True, f"cannot reach {origin}: {_describe(error.reason)}") from None
    except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as error:
        raise DeliveryError(True, f"request to {origin} failed: {_describe(error)}") from None
    except ValueError as error:  # a malformed URL or header; its text may quote the URL
        raise DeliveryError(False, f"invalid request to {origin}: {type(error).__name__}") from None


def raise_for_status(response: HttpResponse, what: str) -> None:
    """Raise the DeliveryError a non-2xx status means: retryable for 408/425/429/5xx."""
    status = response.status
    if 200 <= status < 300:
        return
    retryable = status in RETRYABLE_STATUSES or status >= 500
    detail = response.text()
    reason = f"{what} answered HTTP {status}" + (f": {detail}" if detail else "")
    if 300 <= status < 400:
        reason = f"{what} answered a redirect (HTTP {status}); redirects are not followed"
    raise DeliveryError(
        retryable,
        reason,
        retry_after=retry_after_seconds(response.headers.get("retry-after")),
        status=status,
    )


class RedactingChannel(ABC):
    """Base of the channels: a name, the settings' secrets, and redacted errors."""

    def __init__(self, name: str, secrets: Iterable[str]) -> None:
        self._name = name
        self._redactor = SecretRedactor(secrets)

    @property
    def name(self) -> str:
        return self._name

    def redact(self, text: str) -> str:
        """``text`` with this channel's secrets and URL credentials masked."""
        return self._redactor.redact(text)

    def add_secret(self, secret: str) -> None:
        """Mask one more value (a token obtained at run time)."""
        self._redactor = SecretRedactor([*self._redactor.secrets, secret])

    def send(self, notice: Notice) -> None:
        """Deliver one notice; a DeliveryError leaves with its reason redacted."""
        try:
            self._send(notice)
        except DeliveryError as error:
            raise DeliveryError(
                error.retryable,
                self.redact(error.reason),
                retry_after=error.retry_after,
                status=error.status,
                channel=self._name,
            ) from None

    @abstractmethod
    def _send(self, notice: Notice) -> None:
        """Deliver one notice in the channel's own format; raise DeliveryError if not."""


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in items}


def _describe(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    text = str(reason) or type(reason).__name__
    return text if len(text) <= 200 else text[:199] + "…"
