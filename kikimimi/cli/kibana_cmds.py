"""``kikimimi kibana``: the shipped data views, saved searches and dashboards, imported into
Kibana or written for an index prefix."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from core import one_line
from indexer import import_saved_objects, saved_objects_for, to_ndjson
from kikimimi.cli.context import CliContext, pass_context, say


@click.group()
def kibana() -> None:
    """Kikimimi's Kibana data views, saved searches and dashboards (docs/kibana.md)."""


@kibana.command("import")
@click.option("--url", help="Kibana's URL, with its base path if any (default: kibana.url).")
@click.option("--space", help="Kibana space to import into (default: kibana.space, else default).")
@pass_context
def import_objects(ctx: CliContext, url: str | None, space: str | None) -> None:
    """Import the saved objects into Kibana, replacing only Kikimimi's own (by their ids).

    The data views read the indices of elasticsearch.index_prefix. Exits 1 when Kibana did
    not import every object, after naming each one and why.
    """
    settings = ctx.settings
    target = url or (str(settings.kibana.url) if settings.kibana.url else None)
    if target is None:
        raise click.UsageError("give Kibana's URL: --url URL, or kibana.url in the configuration")
    space = space or settings.kibana.space
    objects = saved_objects_for(settings.elasticsearch.index_prefix)
    report = import_saved_objects(objects, settings.kibana, target, space)
    parts = urlsplit(target)
    click.echo(
        f"imported {report.success_count} of {report.sent} saved objects into Kibana at "
        f"{parts.scheme}://{parts.netloc} (space {space or 'default'})"
    )
    for failure in report.failures:
        title = f" ({one_line(failure.title)})" if failure.title else ""
        click.echo(
            f"error: {failure.type} {one_line(failure.id)}{title}: {one_line(failure.reason)}",
            err=True,
        )
    if not report.success:
        sys.exit(1)


@kibana.command("export")
@click.option(
    "--prefix", help="Index prefix the data views read (default: elasticsearch.index_prefix)."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (default: standard output).",
)
@pass_context
def export(ctx: CliContext, prefix: str | None, out: Path | None) -> None:
    """Write the saved objects as NDJSON, for Kibana's Saved Objects > Import page."""
    prefix = prefix or ctx.settings.elasticsearch.index_prefix
    objects = saved_objects_for(prefix)
    data = to_ndjson(objects)
    if out is None:
        click.echo(data, nl=False)
        return
    try:
        out.write_bytes(data)
    except OSError as error:
        raise click.FileError(str(out), error.strerror or str(error)) from None
    say(f"wrote {len(objects)} saved objects for index prefix {prefix} to {out}")
