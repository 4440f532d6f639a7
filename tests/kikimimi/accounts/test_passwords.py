"""Passwords: argon2 hashes, verified, rehashed when the parameters change, and a minimum
length with a clear error that never repeats the password."""

from __future__ import annotations

import pytest

from core import AccountValueError
from kikimimi.accounts.passwords import MIN_PASSWORD_LENGTH, Passwords
from tests.kikimimi.accounts.conftest import PASSWORD, cheap_hasher


def test_a_hash_verifies_its_password_only() -> None:
    passwords = Passwords(cheap_hasher())
    stored = passwords.hash(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert passwords.verify(stored, PASSWORD)
    assert not passwords.verify(stored, PASSWORD + "!")
    assert not passwords.verify("not a hash", PASSWORD)


def test_the_same_password_hashes_differently_each_time() -> None:
    passwords = Passwords(cheap_hasher())
    assert passwords.hash(PASSWORD) != passwords.hash(PASSWORD)


def test_a_hash_made_with_other_parameters_needs_a_rehash() -> None:
    old = Passwords(cheap_hasher(time_cost=1)).hash(PASSWORD)
    current = Passwords(cheap_hasher(time_cost=2))
    assert current.verify(old, PASSWORD)
    assert current.needs_rehash(old)
    assert not current.needs_rehash(current.hash(PASSWORD))


def test_the_default_parameters_are_argon2s_recommended_ones() -> None:
    stored = Passwords().hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize("short", ["", "123456789", "ｐａｓｓ"])
def test_a_short_password_is_refused_without_repeating_it(short: str) -> None:
    with pytest.raises(AccountValueError) as error:
        Passwords(cheap_hasher()).hash(short)
    assert str(error.value) == f"password: too short: use at least {MIN_PASSWORD_LENGTH} characters"


def test_an_overlong_password_is_refused() -> None:
    with pytest.raises(AccountValueError, match="too long"):
        Passwords(cheap_hasher()).hash("x" * 1025)
