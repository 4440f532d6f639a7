"""The ``kikimimi`` command line: one group, one module of subcommands per area."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from core import ConfigError, KikimimiError
from kikimimi.cli.context import CONFIG_HELP, CliContext
from kikimimi.cli.lazy_group import LazyGroup

__all__ = ["cli", "main"]


COMMANDS = {
    "config": "kikimimi.cli.config_cmds:config",
    "es": "kikimimi.cli.es_cmds:es",
    "index": "kikimimi.cli.index_cmds:index",
    "kibana": "kikimimi.cli.kibana_cmds:kibana",
    "nlp": "kikimimi.cli.nlp_cmds:nlp",
    "demo": "kikimimi.cli.demo_cmd:demo",
    "crawl": "kikimimi.cli.crawl_cmds:crawl",
    "sources": "kikimimi.cli.crawl_cmds:sources",
    "schedule": "kikimimi.cli.crawl_cmds:schedule",
    "run": "kikimimi.cli.run_cmds:run",
    "rules": "kikimimi.cli.run_cmds:rules",
    "cases": "kikimimi.cli.run_cmds:cases",
    "status": "kikimimi.cli.status_cmd:status",
    "queue": "kikimimi.cli.queue_cmds:queue",
    "report": "kikimimi.cli.run_cmds:report",
    "digest": "kikimimi.cli.digest_cmds:digest",
    "users": "kikimimi.cli.users_cmds:users",
    "web": "kikimimi.cli.web_cmds:web",
}
"""Each command and where it lives: a module loads only when its command runs."""


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=CONFIG_HELP,
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.version_option(package_name="kikimimi")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, verbose: bool) -> None:
    """Kikimimi (聞き耳): listen for brand mentions, understand them, index them, alert."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:  # the client logs each failed try with a traceback; the error says it once
        logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    ctx.obj = CliContext(config_file)


def main() -> None:
    """Entry point: run the CLI; Kikimimi's own errors print one clear message and exit 1."""
    try:
        # Without standalone mode, click answers ``ctx.exit(code)`` by returning the code.
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem.render(exc.file)}", err=True)
        sys.exit(1)
    except KikimimiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
