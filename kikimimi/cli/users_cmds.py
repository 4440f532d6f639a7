"""``kikimimi users``: the web app's users, their passwords and their API tokens.

Results go to stdout (``users list``; ``users token`` prints the token as its only line),
everything else to stderr. A password comes from ``$KIKIMIMI_PASSWORD`` when it is set, else
it is asked twice without being shown; it is never printed.
"""

from __future__ import annotations

import os

import click

from config import Settings, users_path
from kikimimi.accounts import (
    Accounts,
    User,
    UserExistsError,
    check_team_name,
    check_user_name,
    parse_role,
)
from kikimimi.cli.context import CliContext, pass_context, say

PASSWORD_VARIABLE = "KIKIMIMI_PASSWORD"  # noqa: S105 (its name)


@click.group("users")
def users() -> None:
    """The web app's users: add, list, remove, change a password, issue API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, help="agent, lead, marketer or admin.")
@click.option(
    "--team",
    "teams",
    multiple=True,
    metavar="TEAM",
    help="A team whose cases and feeds the user works (repeat for several).",
)
@pass_context
def users_add(ctx: CliContext, name: str, role: str, teams: tuple[str, ...]) -> None:
    """Add a user (password from $KIKIMIMI_PASSWORD, else asked twice)."""
    check_user_name(name)
    parse_role(role)
    for team in teams:
        check_team_name(team)
    with _accounts(ctx) as accounts:
        if any(user.name == name for user in accounts.users()):
            raise UserExistsError(name)
        password = _new_password(name)
        routed = _routed_teams(ctx.settings)
        for team in sorted(set(teams) - routed):
            used = ", ".join(sorted(routed)) or "none"
            say(f"warning: no rule routes cases or feeds to team {team!r} (rules use: {used})")
        user = accounts.add_user(name, password, role, teams)
    say(f"added {user.role} {user.name!r} (teams: {_teams(user)})")


@users.command("list")
@pass_context
def users_list(ctx: CliContext) -> None:
    """Every user: name, role, teams and how many API tokens (never a secret)."""
    with _accounts(ctx) as accounts:
        rows = [
            (
                user.name,
                user.role.value,
                _teams(user),
                str(len(accounts.tokens(user.name))),
                "disabled" if user.disabled else "",
            )
            for user in accounts.users()
        ]
    if not rows:
        say("no users yet: add one with `kikimimi users add NAME --role ROLE --team TEAM`")
        return
    table = [("name", "role", "teams", "tokens", ""), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    for row in table:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@users.command("remove")
@click.argument("name")
@pass_context
def users_remove(ctx: CliContext, name: str) -> None:
    """Remove a user with their API tokens and sessions."""
    with _accounts(ctx) as accounts:
        accounts.remove_user(name)
    say(f"removed {name!r} with their tokens and sessions")


@users.command("passwd")
@click.argument("name")
@pass_context
def users_passwd(ctx: CliContext, name: str) -> None:
    """Change a user's password (from $KIKIMIMI_PASSWORD, else asked twice); their browser
    sessions end."""
    with _accounts(ctx) as accounts:
        accounts.user(name)
        accounts.set_password(name, _new_password(name))
    say(f"changed the password of {name!r}")


@users.command("token")
@click.argument("name")
@click.option("--revoke", "token_id", metavar="ID", help="Revoke this token instead.")
@pass_context
def users_token(ctx: CliContext, name: str, token_id: str | None) -> None:
    """Issue an API token for NAME and print it as the only line on stdout (it is shown this
    once), or revoke one with --revoke ID (ids are on stderr when issued)."""
    with _accounts(ctx) as accounts:
        if token_id is not None:
            accounts.revoke_token(name, token_id)
            say(f"revoked token {token_id} of {name!r}")
            return
        issued = accounts.issue_token(name)
    say(f"token {issued.token.id} issued for {name!r}: keep it secret, it is shown only now")
    click.echo(issued.secret)


def _accounts(ctx: CliContext) -> Accounts:
    return Accounts(users_path(ctx.settings))


def _new_password(name: str) -> str:
    from_environment = os.environ.get(PASSWORD_VARIABLE)
    if from_environment is not None:
        return from_environment
    return str(
        click.prompt(
            f"Password for {name!r}",
            hide_input=True,
            confirmation_prompt="Repeat it",
            err=True,
        )
    )


def _routed_teams(settings: Settings) -> set[str]:
    """The teams the rules send cases (``team``) or feeds (``feed``) to."""
    return {name for rule in settings.rules for name in (rule.team, rule.feed) if name}


def _teams(user: User) -> str:
    return ",".join(user.teams) or "-"
