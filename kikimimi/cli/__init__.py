"""The ``kikimimi`` command line: one group, one module of subcommands per area."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from core import ConfigError, KikimimiError
from kikimimi.cli.config_cmds import config
from kikimimi.cli.context import CONFIG_HELP, CliContext, accept_config_everywhere
from kikimimi.cli.crawl_cmds import crawl, schedule, sources
from kikimimi.cli.demo_cmd import demo
from kikimimi.cli.digest_cmds import digest
from kikimimi.cli.es_cmds import es
from kikimimi.cli.index_cmds import index
from kikimimi.cli.kibana_cmds import kibana
from kikimimi.cli.nlp_cmds import nlp
from kikimimi.cli.queue_cmds import queue
from kikimimi.cli.run_cmds import cases, report, rules, run
from kikimimi.cli.status_cmd import status
from kikimimi.cli.users_cmds import users
from kikimimi.cli.web_cmds import web

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


cli.add_command(config)
cli.add_command(es)
cli.add_command(index)
cli.add_command(kibana)
cli.add_command(nlp)
cli.add_command(demo)
cli.add_command(crawl)
cli.add_command(sources)
cli.add_command(schedule)
cli.add_command(run)
cli.add_command(rules)
cli.add_command(cases)
cli.add_command(status)
cli.add_command(queue)
cli.add_command(report)
cli.add_command(digest)
cli.add_command(users)
cli.add_command(web)
accept_config_everywhere(cli)


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
