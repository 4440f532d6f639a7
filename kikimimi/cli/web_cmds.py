"""``kikimimi web``: serve the care team's web app (``docs/web.md``)."""

from __future__ import annotations

import sys

import click

from kikimimi.cli.context import CliContext, pass_context, say


@click.command("web")
@click.option("--host", help="Address to listen on.  [default: web.host, 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), help="Port.  [default: web.port, 8080]")
@pass_context
def web(ctx: CliContext, host: str | None, port: int | None) -> None:
    """Serve the web app (pages and the JSON API under /api/v1) until SIGINT or SIGTERM,
    which stop it gracefully. Users come from `kikimimi users`; the address, sessions and
    proxies from the config's `web` section."""
    from kikimimi.web import serve  # noqa: PLC0415 - FastAPI and uvicorn load only here

    settings = ctx.settings
    host = settings.web.host if host is None else host
    port = settings.web.port if port is None else port
    say(f"serving the web app on http://{host}:{port} (Ctrl-C stops it)")
    if not serve(settings, host=host, port=port):
        say(f"error: could not serve the web app on {host}:{port} (see above)")
        sys.exit(1)
    say("web app stopped")
