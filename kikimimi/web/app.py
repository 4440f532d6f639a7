"""The web app: :func:`create_app` assembles it from the settings and the accounts store
(nothing happens at import time)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from config import Settings
from kikimimi import __version__, wiring
from kikimimi.accounts import Accounts
from kikimimi.web import api, pages
from kikimimi.web.casework.dependency import close_case_service, open_case_service
from kikimimi.web.context import Clock, WebContext, utc_now
from kikimimi.web.errors import install_error_handlers
from kikimimi.web.health import router as health_router
from kikimimi.web.proxies import install_proxies
from kikimimi.web.rendering import make_templates
from kikimimi.web.security_headers import SecurityHeadersMiddleware
from kikimimi.web.trends import LazyThemeEncoder

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 1024 * 1024
"""The largest request body taken (413 beyond): the app takes forms and small JSON."""
MAX_FORM_FIELDS = 100
MAX_FORM_FIELD_BYTES = 64 * 1024  # a case response or note fits easily


class _SecuredFastAPI(FastAPI):
    """FastAPI with the security headers outermost, so that even the answers of its own
    outer layers (the 500 of the last resort, a 413 for a body too large) carry them."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def create_app(
    settings: Settings, *, accounts: Accounts | None = None, clock: Clock = utc_now
) -> FastAPI:
    """The web app on ``settings``. Without ``accounts`` it opens the store in the state
    directory (sessions lasting as ``web`` says) and closes it at shutdown; a store passed
    in stays the caller's."""
    store = accounts if accounts is not None else wiring.accounts(settings)
    cases = open_case_service(settings, store, clock)
    theme_encoder = LazyThemeEncoder(lambda: wiring.theme_encoder(settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        close_case_service(cases)
        theme_encoder.close()
        if accounts is None:
            store.close()

    app = _SecuredFastAPI(
        title="Kikimimi API",
        version=__version__,
        summary="The care team's cases, feeds and mentions, as JSON.",
        openapi_url=None,  # served by api.openapi_document, behind sign-in
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
        form_limits={"max_fields": MAX_FORM_FIELDS, "max_part_size": MAX_FORM_FIELD_BYTES},
    )
    app.state.web = WebContext(
        settings=settings, accounts=store, clock=clock, templates=make_templates()
    )
    app.state.cases = cases
    app.state.theme_encoder = theme_encoder
    app.state.stopping = threading.Event()  # set by serve() at SIGINT/SIGTERM
    install_error_handlers(app)
    install_proxies(app, settings.web)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health_router)
    app.include_router(pages.router)
    app.include_router(api.router)
    return app
