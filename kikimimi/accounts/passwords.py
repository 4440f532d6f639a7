"""Passwords: their rules, argon2id hashes, verification, and whether a hash was made with
parameters other than today's (then it is rehashed at the next sign-in)."""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core import AccountValueError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def check_password(password: str) -> None:
    """Refuse a password that is too short or absurdly long, never repeating it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountValueError(
            "password", f"too short: use at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountValueError(
            "password", f"too long: use at most {MAX_PASSWORD_LENGTH} characters"
        )


class Passwords:
    """argon2id with the hasher's parameters (by default argon2-cffi's, RFC 9106's
    low-memory choice)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        """A new salted hash of a password that follows the rules."""
        check_password(password)
        return self._hasher.hash(password)

    def rehash(self, password: str) -> str:
        """A new hash of a password that was accepted before (the rules may have changed)."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` is the one ``stored_hash`` was made from."""
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether ``stored_hash`` was made with other parameters than the hasher's."""
        return self._hasher.check_needs_rehash(stored_hash)

    def spend_verify_time(self, password: str) -> None:
        """Take as long as :meth:`verify` does, for a user who does not exist: how long a
        sign-in takes must not tell whether the name exists."""
        self.verify(self._decoy_hash, password)

    @cached_property
    def _decoy_hash(self) -> str:
        return self._hasher.hash("no user has this password")
