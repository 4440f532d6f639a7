"""The unprivileged system user the node runs as when we are root."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from core import ElasticsearchNodeError


@dataclass(frozen=True)
class Account:
    """A user the node process runs as."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]


def ensure_account(name: str) -> Account:
    """Look up system user ``name``, creating it with ``useradd`` when it is missing."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _create_system_user(name)
        entry = pwd.getpwnam(name)
    groups = frozenset(os.getgrouplist(name, entry.pw_gid))
    return Account(name=name, uid=entry.pw_uid, gid=entry.pw_gid, groups=groups)


def _create_system_user(name: str) -> None:
    """Run ``useradd`` for a system user without home or login shell."""
    command = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        failure = str(exc)
    else:
        if result.returncode == 0:
            return
        failure = result.stderr.strip() or f"exit status {result.returncode}"
    raise ElasticsearchNodeError(
        f"Elasticsearch refuses to run as root and creating user {name!r} failed "
        f"({' '.join(command)}: {failure}); create that user yourself or set "
        "elasticsearch.local.run_as_user to an existing unprivileged user"
    )


def chown_tree(root: Path, account: Account) -> None:
    """Give ``root`` and everything below it to ``account`` (like ``chown -R``)."""
    os.chown(root, account.uid, account.gid, follow_symlinks=False)
    for directory, subdirs, files in os.walk(root):
        for name in (*subdirs, *files):
            os.chown(Path(directory) / name, account.uid, account.gid, follow_symlinks=False)


def check_reachable(account: Account, paths: dict[str, Path]) -> None:
    """Fail unless ``account`` can traverse every parent of, and read, each named path."""
    for purpose, path in paths.items():
        target = path.resolve()
        for current in (*reversed(target.parents), target):
            leaf = current == target
            if not _permits(account, current, stat.S_IXOTH | (stat.S_IROTH if leaf else 0)):
                info = current.stat()
                raise ElasticsearchNodeError(
                    f"user {account.name!r} cannot reach the {purpose} {target}: "
                    f"{current} is mode {stat.S_IMODE(info.st_mode):04o} owned by uid "
                    f"{info.st_uid}; allow it (chmod o+{'rx' if leaf else 'x'} {current}) "
                    f"or move the {purpose} to a path every user can reach"
                )


def _permits(account: Account, path: Path, needed_other_bits: int) -> bool:
    """Whether ``account`` has the permission bits (given in the "other" class) on ``path``."""
    info = path.stat()
    if info.st_uid == account.uid:
        shift = 6
    elif info.st_gid in account.groups:
        shift = 3
    else:
        shift = 0
    needed = needed_other_bits << shift
    return info.st_mode & needed == needed
