"""Browser sessions: server-side records found by a random token kept only as a hash, ended
after 12 idle hours or 7 days in all, with a CSRF secret of their own."""

from __future__ import annotations

from datetime import timedelta

from kikimimi.accounts import (
    Accounts,
    SessionPolicy,
    User,
    csrf_matches,
    csrf_token,
)
from tests.kikimimi.accounts.conftest import NOW, cheap_hasher


def test_a_session_token_finds_its_user(accounts: Accounts, ana: User) -> None:
    token = accounts.create_session(ana, now=NOW)
    assert len(token) >= 40
    assert accounts.session_user(token, NOW + timedelta(minutes=5)) == ana
    assert accounts.session_user(token + "x", NOW) is None
    assert accounts.session_user("", NOW) is None


def test_a_session_ends_after_twelve_idle_hours(accounts: Accounts, ana: User) -> None:
    token = accounts.create_session(ana, now=NOW)
    later = NOW + timedelta(hours=11, minutes=59)
    assert accounts.session_user(token, later) == ana  # use keeps it alive ...
    assert accounts.session_user(token, later + timedelta(hours=11, minutes=59)) == ana
    gone = later + timedelta(hours=11, minutes=59) + timedelta(hours=12, seconds=1)
    assert accounts.session_user(token, gone) is None  # ... idleness ends it
    assert accounts.session_user(token, NOW) is None  # for good


def test_a_session_ends_after_seven_days_however_busy(accounts: Accounts, ana: User) -> None:
    token = accounts.create_session(ana, now=NOW)
    moment = NOW
    while moment < NOW + timedelta(days=7) - timedelta(hours=6):
        moment += timedelta(hours=6)
        assert accounts.session_user(token, moment) == ana
    assert accounts.session_user(token, NOW + timedelta(days=7, seconds=1)) is None


def test_the_policy_is_configurable(accounts: Accounts, ana: User) -> None:
    short = Accounts(
        accounts.path, hasher=cheap_hasher(), sessions=SessionPolicy(idle=timedelta(minutes=5))
    )
    token = short.create_session(ana, now=NOW)
    assert short.session_user(token, NOW + timedelta(minutes=4)) == ana
    assert short.session_user(token, NOW + timedelta(minutes=10)) is None
    short.close()


def test_the_session_record_shows_its_times_but_no_secret(accounts: Accounts, ana: User) -> None:
    token = accounts.create_session(ana, now=NOW)
    session = accounts.session(token, NOW + timedelta(hours=1))
    assert session is not None
    assert session.user == ana
    assert session.created_at == NOW
    assert session.last_seen_at == NOW + timedelta(hours=1)
    assert session.expires_at == NOW + timedelta(hours=13)
    assert token not in repr(session) and csrf_token(session) not in repr(session)


def test_the_csrf_secret_is_stable_per_session(accounts: Accounts, ana: User) -> None:
    first = accounts.create_session(ana, now=NOW)
    second = accounts.create_session(ana, now=NOW)
    seen = [accounts.session(first, NOW + timedelta(minutes=m)) for m in (0, 5, 90)]
    secrets = {csrf_token(session) for session in seen if session is not None}
    assert len(secrets) == 1
    other = accounts.session(second, NOW)
    assert other is not None and csrf_token(other) not in secrets
    assert len(next(iter(secrets))) >= 32


def test_a_csrf_token_matches_its_own_session_only(accounts: Accounts, ana: User) -> None:
    first = accounts.session(accounts.create_session(ana, now=NOW), NOW)
    second = accounts.session(accounts.create_session(ana, now=NOW), NOW)
    assert first is not None and second is not None
    assert csrf_matches(first, csrf_token(first))
    assert not csrf_matches(first, csrf_token(second))
    assert not csrf_matches(first, "")
    assert not csrf_matches(first, "ü" * 43)


def test_an_ended_session_is_refused(accounts: Accounts, ana: User) -> None:
    ended = accounts.create_session(ana, now=NOW)
    kept = accounts.create_session(ana, now=NOW)
    accounts.end_session(ended)
    accounts.end_session(ended)  # twice is harmless (a second logout)
    assert accounts.session_user(ended, NOW) is None
    assert accounts.session_user(kept, NOW) == ana


def test_expired_sessions_are_removed(accounts: Accounts, ana: User) -> None:
    old = accounts.create_session(ana, now=NOW - timedelta(days=8))
    fresh = accounts.create_session(ana, now=NOW)
    assert accounts.remove_expired_sessions(NOW) == 1
    assert accounts.remove_expired_sessions(NOW) == 0
    assert accounts.session_user(fresh, NOW) == ana
    assert accounts.session_user(old, NOW) is None


def test_only_a_hash_of_the_session_token_is_stored(accounts: Accounts, ana: User) -> None:
    token = accounts.create_session(ana, now=NOW)
    accounts.close()
    assert token.encode() not in accounts.path.read_bytes()
