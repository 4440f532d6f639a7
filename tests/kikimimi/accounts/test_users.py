"""Users in their SQLite file: added, listed, changed and removed; names unique; the file
private to its owner and its records free of hashes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core import AccountError, AccountValueError, UserExistsError, UserNotFoundError
from kikimimi.accounts import Accounts, InvalidCredentialsError, Role, User
from tests.kikimimi.accounts.conftest import NOW, PASSWORD, cheap_hasher


def test_a_user_is_kept_with_its_role_and_teams(tmp_path: Path) -> None:
    path = tmp_path / "web" / "users.sqlite"
    with Accounts(path, hasher=cheap_hasher()) as accounts:
        added = accounts.add_user("ana", PASSWORD, "lead", ["social", "care", "care"], now=NOW)
    assert added == User("ana", Role.LEAD, ("care", "social"), NOW, disabled=False)
    with Accounts(path, hasher=cheap_hasher()) as reopened:
        assert reopened.user("ana") == added
        assert reopened.users() == [added]


def test_the_users_file_is_readable_by_its_owner_only(accounts: Accounts, ana: User) -> None:
    mode = stat.S_IMODE(accounts.path.stat().st_mode)
    assert mode == 0o600


def test_users_are_listed_by_name(accounts: Accounts) -> None:
    for name in ("zoe", "ana", "mika"):
        accounts.add_user(name, PASSWORD, Role.AGENT, ["care"], now=NOW)
    assert [user.name for user in accounts.users()] == ["ana", "mika", "zoe"]


def test_a_name_is_taken_once(accounts: Accounts, ana: User) -> None:
    with pytest.raises(UserExistsError) as error:
        accounts.add_user("ana", PASSWORD, Role.ADMIN, now=NOW)
    assert str(error.value) == "a user named 'ana' exists already"
    assert accounts.user("ana").role is Role.AGENT


def test_bad_values_are_refused_before_anything_is_written(accounts: Accounts) -> None:
    with pytest.raises(AccountValueError, match=r"^role: "):
        accounts.add_user("ana", PASSWORD, "boss", now=NOW)
    with pytest.raises(AccountValueError, match=r"^team name: "):
        accounts.add_user("ana", PASSWORD, Role.AGENT, ["Care Team"], now=NOW)
    with pytest.raises(AccountValueError, match=r"^password: too short"):
        accounts.add_user("ana", "short", Role.AGENT, now=NOW)
    assert accounts.users() == []


def test_an_unknown_user_is_named(accounts: Accounts) -> None:
    with pytest.raises(UserNotFoundError) as error:
        accounts.user("nobody")
    assert str(error.value) == "no user named 'nobody'"
    for change in (
        lambda: accounts.remove_user("nobody"),
        lambda: accounts.set_password("nobody", PASSWORD),
        lambda: accounts.set_disabled("nobody", True),
    ):
        with pytest.raises(UserNotFoundError):
            change()


def test_removing_a_user_removes_its_tokens_and_sessions(accounts: Accounts, ana: User) -> None:
    token = accounts.issue_token("ana", now=NOW).secret
    session = accounts.create_session(ana, now=NOW)
    accounts.remove_user("ana")
    assert accounts.users() == []
    assert accounts.user_for_token(token) is None
    assert accounts.session_user(session, NOW) is None
    accounts.add_user("ana", PASSWORD, Role.AGENT, now=NOW)  # the name is free again
    assert accounts.user_for_token(token) is None
    assert accounts.tokens("ana") == []


def test_a_new_password_replaces_the_old_and_ends_sessions(accounts: Accounts, ana: User) -> None:
    session = accounts.create_session(ana, now=NOW)
    accounts.set_password("ana", "a brand new secret")
    assert accounts.session_user(session, NOW) is None
    assert accounts.authenticate("ana", "a brand new secret", NOW) == ana
    with pytest.raises(InvalidCredentialsError):
        accounts.authenticate("ana", PASSWORD, NOW)


def test_a_disabled_user_is_kept_but_locked_out(accounts: Accounts, ana: User) -> None:
    token = accounts.issue_token("ana", now=NOW).secret
    session = accounts.create_session(ana, now=NOW)
    assert accounts.set_disabled("ana", True).disabled
    assert accounts.user("ana").disabled
    assert accounts.user_for_token(token) is None
    assert accounts.session_user(session, NOW) is None
    with pytest.raises(InvalidCredentialsError):
        accounts.authenticate("ana", PASSWORD, NOW)
    assert not accounts.set_disabled("ana", False).disabled
    assert accounts.user_for_token(token) == ana


def test_records_and_the_file_hold_no_password(accounts: Accounts, ana: User) -> None:
    assert "argon2" not in repr(ana)
    accounts.close()
    assert PASSWORD.encode() not in accounts.path.read_bytes()


def test_an_unusable_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "web").write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(AccountError) as error:
        Accounts(tmp_path / "web" / "users.sqlite")
    assert str(error.value).startswith(f"cannot open the users file {tmp_path}/web/users.sqlite")
