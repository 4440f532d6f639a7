"""The reverse proxies the app believes (``web.trusted_proxies``): their ``X-Forwarded-For``
and ``X-Forwarded-Proto`` (the client's address and scheme, by uvicorn's
``ProxyHeadersMiddleware``), and, for single sign-on, the user header they set
(``web.proxy_user_header``, off by default).

The user header is taken only from a connection whose own address is a trusted proxy's:
:class:`UserHeaderGate` removes it from every other request before anything reads it, so
:func:`proxy_user` may believe what is left. The proxy signs a browser in at ``/login``
(see :mod:`kikimimi.web.pages.sign_in`): a session like any other, with its CSRF token.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import FastAPI, Request
from pydantic import IPvAnyNetwork
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from config import WebSettings


class UserHeaderGate:
    """Drops ``header`` from the requests of connections not from ``trusted`` networks."""

    def __init__(self, app: ASGIApp, header: str, trusted: Sequence[IPvAnyNetwork]) -> None:
        self.app = app
        self.header = header.lower().encode("latin-1")
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self._from_trusted(scope):
            headers = [(name, value) for name, value in scope["headers"] if name != self.header]
            if len(headers) != len(scope["headers"]):
                scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)

    def _from_trusted(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not client:
            return False
        try:
            address = ipaddress.ip_address(client[0])
        except ValueError:  # not an IP connection (a unix socket, a test client)
            return False
        return any(address in network for network in self.trusted)


def install_proxies(app: FastAPI, web: WebSettings) -> None:
    """The proxy headers' middleware, the user header's gate outside it (it must see the
    connection's own address, before ``X-Forwarded-For`` replaces it)."""
    trusted = [str(network) for network in web.trusted_proxies]
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    if web.proxy_user_header is not None:
        app.add_middleware(
            UserHeaderGate, header=web.proxy_user_header, trusted=web.trusted_proxies
        )


def proxy_user(request: Request, web: WebSettings) -> str | None:
    """The user name a trusted proxy sent (trimmed, lowercased like a sign-in's), if any."""
    if web.proxy_user_header is None:
        return None
    name = request.headers.get(web.proxy_user_header, "").strip().lower()
    return name or None
