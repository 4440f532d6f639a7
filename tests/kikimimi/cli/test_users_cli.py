"""``kikimimi users``: the CLI runs as a real process, so what goes to stdout (only the
token of ``users token``), to stderr, and the exit status are the ones a script sees."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from kikimimi.accounts import Accounts, Role

PASSWORD = "a long enough password"
CONFIG = {
    "state_dir": "var",
    "sources": [],
    "rules": [
        {"name": "complaints", "open_case": True, "team": "care"},
        {"name": "competitors", "feed": "marketing"},
    ],
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    return path


def kikimimi(
    config: Path, *args: str, password: str | None = PASSWORD
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KIKIMIMI_PASSWORD"}
    if password is not None:
        env["KIKIMIMI_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "kikimimi", "--config", str(config), "users", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def accounts(config: Path) -> Accounts:
    return Accounts(config.parent / "var" / "web" / "users.sqlite")


def test_add_then_list(config: Path) -> None:
    added = kikimimi(config, "add", "ana", "--role", "agent", "--team", "care")
    assert added.returncode == 0, added.stderr
    assert added.stdout == ""
    assert added.stderr == "added agent 'ana' (teams: care)\n"
    assert PASSWORD not in added.stdout + added.stderr
    kikimimi(config, "add", "root", "--role", "admin").check_returncode()

    listed = kikimimi(config, "list")

    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "name  role   teams  tokens",
        "ana   agent  care   0",
        "root  admin  -      0",
    ]
    with accounts(config) as store:
        assert store.authenticate("ana", PASSWORD).role is Role.AGENT


def test_users_token_prints_the_token_as_its_only_line(config: Path) -> None:
    kikimimi(config, "add", "ana", "--role", "lead", "--team", "care").check_returncode()

    issued = kikimimi(config, "token", "ana", password=None)

    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.split("\n")
    assert len(lines) == 2 and lines[1] == "", issued.stdout  # one line, ended
    token = lines[0]
    assert token.startswith("kkm_")
    assert token not in issued.stderr
    with accounts(config) as store:
        user = store.user_for_token(token)
        assert user is not None and user.name == "ana"
        (listed,) = store.tokens("ana")
    assert f"token {listed.id} issued" in issued.stderr
    assert "ana   lead  care   1" in kikimimi(config, "list").stdout
    db_file = config.parent / "var" / "web" / "users.sqlite"
    assert token.encode() not in db_file.read_bytes()


def test_a_revoked_token_is_refused(config: Path) -> None:
    kikimimi(config, "add", "ana", "--role", "agent", "--team", "care").check_returncode()
    token = kikimimi(config, "token", "ana").stdout.strip()
    with accounts(config) as store:
        (listed,) = store.tokens("ana")

    revoked = kikimimi(config, "token", "ana", "--revoke", listed.id)

    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout == ""
    assert revoked.stderr == f"revoked token {listed.id} of 'ana'\n"
    with accounts(config) as store:
        assert store.user_for_token(token) is None
    again = kikimimi(config, "token", "ana", "--revoke", listed.id)
    assert again.returncode == 1
    assert again.stderr == f"error: user 'ana' has no token '{listed.id}'\n"


def test_passwd_changes_the_password(config: Path) -> None:
    kikimimi(config, "add", "ana", "--role", "agent", "--team", "care").check_returncode()

    changed = kikimimi(config, "passwd", "ana", password="another long password")

    assert changed.returncode == 0, changed.stderr
    assert changed.stderr == "changed the password of 'ana'\n"
    with accounts(config) as store:
        assert store.authenticate("ana", "another long password").name == "ana"


def test_remove_removes_the_user(config: Path) -> None:
    kikimimi(config, "add", "ana", "--role", "agent", "--team", "care").check_returncode()

    removed = kikimimi(config, "remove", "ana")

    assert removed.returncode == 0, removed.stderr
    assert removed.stderr == "removed 'ana' with their tokens and sessions\n"
    assert kikimimi(config, "list").stdout == ""


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("add", "ana", "--role", "boss"), "role: must be one of agent, lead, marketer, admin"),
        (("add", "ana", "--role", "agent", "--team", "Care Team"), "team name: 1 to 64"),
        (("add", "Ana", "--role", "agent"), "user name: 1 to 64 lowercase letters"),
        (("remove", "bob"), "no user named 'bob'"),
        (("passwd", "bob"), "no user named 'bob'"),
        (("token", "bob"), "no user named 'bob'"),
    ],
)
def test_mistakes_get_one_clear_line(config: Path, args: tuple[str, ...], error: str) -> None:
    result = kikimimi(config, *args)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {error}")
    assert result.stderr.count("\n") == 1, result.stderr


def test_a_name_is_added_once(config: Path) -> None:
    kikimimi(config, "add", "ana", "--role", "agent", "--team", "care").check_returncode()
    again = kikimimi(config, "add", "ana", "--role", "admin")
    assert again.returncode == 1
    assert again.stderr == "error: a user named 'ana' exists already\n"


def test_a_short_password_is_refused_and_never_shown(config: Path) -> None:
    result = kikimimi(config, "add", "ana", "--role", "agent", password="short pw")
    assert result.returncode == 1
    assert result.stderr == "error: password: too short: use at least 10 characters\n"
    assert kikimimi(config, "list").stdout == ""


def test_a_team_no_rule_uses_gets_a_warning(config: Path) -> None:
    result = kikimimi(config, "add", "ana", "--role", "agent", "--team", "cares")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: no rule routes cases or feeds to team 'cares' (rules use: care, marketing)",
        "added agent 'ana' (teams: cares)",
    ]


def test_without_the_variable_the_password_is_asked_twice_unseen(config: Path) -> None:
    command = [sys.executable, "-m", "kikimimi", "--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k != "KIKIMIMI_PASSWORD"}
    terminal, child_side = pty.openpty()
    process = subprocess.Popen(
        [*command, "users", "add", "bo", "--role", "marketer", "--team", "marketing"],
        stdin=child_side,
        stdout=child_side,
        stderr=child_side,
        env=env,
        start_new_session=True,
    )
    os.close(child_side)
    seen = b""
    for _ in range(2):
        seen += read_until(terminal, b": ")
        os.write(terminal, PASSWORD.encode() + b"\n")
    seen += read_until(terminal, b"\n", closed_is_fine=True)
    assert process.wait(timeout=60) == 0, seen
    os.close(terminal)
    assert b"Password for 'bo'" in seen and b"Repeat" in seen
    assert PASSWORD.encode() not in seen
    with accounts(config) as store:
        assert store.authenticate("bo", PASSWORD).role is Role.MARKETER


def read_until(terminal: int, marker: bytes, closed_is_fine: bool = False) -> bytes:
    """What the terminal shows up to ``marker`` (or until the process closes it)."""
    seen = b""
    deadline = time.monotonic() + 60
    while marker not in seen and time.monotonic() < deadline:
        if select.select([terminal], [], [], 1)[0]:
            try:
                chunk = os.read(terminal, 1024)
            except OSError:  # the child closed its side
                chunk = b""
            if not chunk:
                assert closed_is_fine, seen
                return seen
            seen += chunk
    return seen
