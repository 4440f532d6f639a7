"""Whether the unprivileged node user can reach the files it needs."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from core.errors import ElasticsearchNodeError
from indexer.localnode.account import Account, check_reachable


@pytest.fixture
def nobody() -> Account:
    entry = pwd.getpwnam("nobody")
    if entry.pw_uid == os.geteuid():
        pytest.skip("running as nobody")
    return Account(name="nobody", uid=entry.pw_uid, gid=entry.pw_gid, groups=frozenset())


def test_readable_paths_pass(nobody: Account, open_dir: Path) -> None:
    shared = open_dir / "shared"
    (shared / "jdk").mkdir(parents=True)
    for path in (shared, shared / "jdk"):
        path.chmod(0o755)

    check_reachable(nobody, {"Java home": shared / "jdk"})


def test_a_closed_parent_is_named_with_the_fix(nobody: Account, open_dir: Path) -> None:
    private = open_dir / "private"
    (private / "node").mkdir(parents=True)
    private.chmod(0o700)
    (private / "node").chmod(0o755)

    with pytest.raises(ElasticsearchNodeError) as raised:
        check_reachable(nobody, {"node directory": private / "node"})

    message = str(raised.value)
    assert f"{private} is mode 0700" in message
    assert f"chmod o+x {private}" in message
    assert "'nobody' cannot reach the node directory" in message
