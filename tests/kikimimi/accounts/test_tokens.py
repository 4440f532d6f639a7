"""API tokens: random, shown once, kept only as a hash, listed without the secret,
revocable."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from core import TokenNotFoundError, UserNotFoundError
from kikimimi.accounts import Accounts, ApiToken, User
from tests.kikimimi.accounts.conftest import NOW


def test_a_token_finds_its_user(accounts: Accounts, ana: User) -> None:
    issued = accounts.issue_token("ana", now=NOW)
    assert issued.secret.startswith("kkm_") and len(issued.secret) >= 40
    assert accounts.user_for_token(issued.secret) == ana
    assert accounts.user_for_token(issued.secret + "x") is None
    assert accounts.user_for_token("") is None


def test_each_token_is_new(accounts: Accounts, ana: User) -> None:
    first = accounts.issue_token("ana", now=NOW)
    second = accounts.issue_token("ana", now=NOW)
    assert first.secret != second.secret and first.token.id != second.token.id


def test_only_a_hash_of_the_token_is_stored(accounts: Accounts, ana: User) -> None:
    secret = accounts.issue_token("ana", now=NOW).secret
    accounts.close()
    stored = accounts.path.read_bytes()
    for suffix in ("-wal", "-shm"):
        wal = accounts.path.with_name(accounts.path.name + suffix)
        stored += wal.read_bytes() if wal.exists() else b""
    assert secret.encode() not in stored
    assert secret.removeprefix("kkm_").encode() not in stored
    with sqlite3.connect(accounts.path) as db:
        values = [str(value) for row in db.execute("SELECT * FROM tokens") for value in row]
    assert values and not any(secret in value for value in values)


def test_tokens_are_listed_without_their_secret(accounts: Accounts, ana: User) -> None:
    first = accounts.issue_token("ana", now=NOW)
    second = accounts.issue_token("ana", now=NOW + timedelta(minutes=1))
    listed = accounts.tokens("ana")
    assert listed == [first.token, second.token]
    assert listed[0] == ApiToken(id=first.token.id, user_name="ana", created_at=NOW)
    assert first.secret not in repr(first) and first.secret not in repr(listed)


def test_a_revoked_token_is_refused(accounts: Accounts, ana: User) -> None:
    kept = accounts.issue_token("ana", now=NOW)
    revoked = accounts.issue_token("ana", now=NOW)
    accounts.revoke_token("ana", revoked.token.id)
    assert accounts.user_for_token(revoked.secret) is None
    assert accounts.user_for_token(kept.secret) == ana
    assert accounts.tokens("ana") == [kept.token]


def test_revoking_an_unknown_token_says_so(accounts: Accounts, ana: User) -> None:
    accounts.add_user("bo", "bo's long password", "agent")
    bos = accounts.issue_token("bo", now=NOW)
    with pytest.raises(TokenNotFoundError) as error:
        accounts.revoke_token("ana", bos.token.id)  # another user's token is not ana's
    assert str(error.value) == f"user 'ana' has no token {bos.token.id!r}"
    assert accounts.user_for_token(bos.secret) is not None


def test_tokens_of_an_unknown_user(accounts: Accounts) -> None:
    with pytest.raises(UserNotFoundError):
        accounts.issue_token("nobody", now=NOW)
    with pytest.raises(UserNotFoundError):
        accounts.tokens("nobody")
