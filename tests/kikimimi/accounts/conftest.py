"""An accounts store on a real SQLite file, with cheap argon2 parameters (the real ones
take a noticeable fraction of a second per hash, by design)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kikimimi.accounts import Accounts, Role, User

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1)


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[Accounts]:
    store = Accounts(tmp_path / "web" / "users.sqlite", hasher=cheap_hasher())
    yield store
    store.close()


@pytest.fixture
def ana(accounts: Accounts) -> User:
    return accounts.add_user("ana", PASSWORD, Role.AGENT, ["care"], now=NOW)
