"""Signing in: the user for the right password, one error for a wrong name or password, and
throttling of failed sign-ins per user name and per client, with a growing delay."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from core import AccountError, InvalidCredentialsError, LoginThrottledError
from kikimimi.accounts import Accounts, ThrottlePolicy, User
from tests.kikimimi.accounts.conftest import NOW, PASSWORD, cheap_hasher

WRONG = "wrong password!"


def fail(accounts: Accounts, times: int, name: str = "ana", client: str | None = None) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentialsError):
            accounts.authenticate(name, WRONG, NOW, client=client)


def test_the_right_password_signs_in(accounts: Accounts, ana: User) -> None:
    assert accounts.authenticate("ana", PASSWORD, NOW) == ana
    assert accounts.authenticate(" Ana ", PASSWORD, NOW) == ana  # as a phone may type it


def test_a_wrong_password_and_an_unknown_user_get_the_same_error(
    accounts: Accounts, ana: User
) -> None:
    with pytest.raises(InvalidCredentialsError) as wrong_password:
        accounts.authenticate("ana", WRONG, NOW)
    with pytest.raises(InvalidCredentialsError) as unknown_user:
        accounts.authenticate("nobody", PASSWORD, NOW)
    with pytest.raises(InvalidCredentialsError) as bad_name:
        accounts.authenticate("no such name!", PASSWORD, NOW)
    assert str(wrong_password.value) == str(unknown_user.value) == str(bad_name.value)
    assert str(wrong_password.value) == "wrong user name or password"
    assert isinstance(wrong_password.value, AccountError)
    assert PASSWORD not in str(unknown_user.value)


def test_five_failures_throttle_the_user_name(accounts: Accounts, ana: User) -> None:
    fail(accounts, 5)
    with pytest.raises(LoginThrottledError) as throttled:
        accounts.authenticate("ana", PASSWORD, NOW + timedelta(seconds=1))  # even the right one
    assert throttled.value.retry_after == 59
    assert str(throttled.value) == "too many failed sign-ins: try again in 59 s"


def test_the_delay_passes_and_then_grows(accounts: Accounts, ana: User) -> None:
    fail(accounts, 5)
    after_a_minute = NOW + timedelta(seconds=60)
    with pytest.raises(InvalidCredentialsError):  # allowed to try again, and wrong again
        accounts.authenticate("ana", WRONG, after_a_minute)
    with pytest.raises(LoginThrottledError) as throttled:
        accounts.authenticate("ana", PASSWORD, after_a_minute)
    assert throttled.value.retry_after == 120
    later = after_a_minute + timedelta(seconds=120)
    assert accounts.authenticate("ana", PASSWORD, later) == ana


def test_four_failures_do_not_throttle(accounts: Accounts, ana: User) -> None:
    fail(accounts, 4)
    assert accounts.authenticate("ana", PASSWORD, NOW) == ana


def test_a_success_resets_the_count(accounts: Accounts, ana: User) -> None:
    fail(accounts, 4)
    assert accounts.authenticate("ana", PASSWORD, NOW) == ana
    fail(accounts, 4)
    assert accounts.authenticate("ana", PASSWORD, NOW) == ana


def test_failures_older_than_the_window_are_forgotten(accounts: Accounts, ana: User) -> None:
    fail(accounts, 4)
    with pytest.raises(InvalidCredentialsError):
        accounts.authenticate("ana", WRONG, NOW + timedelta(minutes=15, seconds=1))
    assert accounts.authenticate("ana", PASSWORD, NOW + timedelta(minutes=15, seconds=2)) == ana


def test_unknown_names_are_throttled_like_known_ones(accounts: Accounts) -> None:
    fail(accounts, 5, name="nobody")
    with pytest.raises(LoginThrottledError):
        accounts.authenticate("nobody", PASSWORD, NOW)


def test_throttling_one_name_leaves_the_others_alone(accounts: Accounts, ana: User) -> None:
    accounts.add_user("bo", "bo's long password", "agent")
    fail(accounts, 5, name="bo")
    assert accounts.authenticate("ana", PASSWORD, NOW) == ana


def test_one_client_trying_many_names_is_throttled(accounts: Accounts, ana: User) -> None:
    for index in range(20):
        fail(accounts, 1, name=f"guess{index}", client="203.0.113.9")
    with pytest.raises(LoginThrottledError):
        accounts.authenticate("ana", PASSWORD, NOW, client="203.0.113.9")
    assert accounts.authenticate("ana", PASSWORD, NOW, client="198.51.100.7") == ana
    assert accounts.authenticate("ana", PASSWORD, NOW) == ana


def test_a_success_does_not_reset_the_clients_count(accounts: Accounts, ana: User) -> None:
    accounts.add_user("mallory", "mallory's own password", "agent")
    for index in range(19):
        fail(accounts, 1, name=f"guess{index}", client="attacker")
    accounts.authenticate("mallory", "mallory's own password", NOW, client="attacker")
    fail(accounts, 1, name="guess19", client="attacker")
    with pytest.raises(LoginThrottledError):
        accounts.authenticate("mallory", "mallory's own password", NOW, client="attacker")


def test_the_limits_are_configurable(accounts: Accounts, ana: User) -> None:
    strict = Accounts(
        accounts.path,
        hasher=cheap_hasher(),
        throttle=ThrottlePolicy(failures_per_user=2, first_delay=timedelta(seconds=10)),
    )
    fail(strict, 2)
    with pytest.raises(LoginThrottledError) as throttled:
        strict.authenticate("ana", PASSWORD, NOW)
    assert throttled.value.retry_after == 10
    strict.close()


def stored_hash(accounts: Accounts, name: str) -> str:
    with sqlite3.connect(accounts.path) as db:
        row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    return str(row[0])


def test_a_hash_with_old_parameters_is_rehashed_at_sign_in(accounts: Accounts, ana: User) -> None:
    assert ",t=1," in stored_hash(accounts, "ana")
    stronger = Accounts(accounts.path, hasher=cheap_hasher(time_cost=2))
    assert stronger.authenticate("ana", PASSWORD, NOW) == ana
    assert ",t=2," in stored_hash(accounts, "ana")
    assert stronger.authenticate("ana", PASSWORD, NOW) == ana
    stronger.close()
