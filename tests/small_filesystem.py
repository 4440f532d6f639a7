"""A real, tiny file system for disk-full tests: a tmpfs mounted for the test (root only)."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER = "filler.bin"


@contextmanager
def small_filesystem(directory: Path, size: str = "3m") -> Iterator[Path]:
    """Mount a tmpfs of ``size`` on ``directory`` for the block; skip the test when that is not
    possible (not root, or no permission to mount in this container)."""
    if os.geteuid() != 0:
        pytest.skip("a disk-full test mounts a small tmpfs, which needs root")
    directory.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "--lazy", str(directory)], check=False)


def fill(directory: Path) -> Path:
    """Take every free byte of ``directory``'s file system with one file; returns it (delete it
    to give the space back)."""
    filler = directory / FILLER
    size = 1 << 20
    with filler.open("wb", buffering=0) as out:
        while size:
            try:
                out.write(b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                size //= 2
    return filler


def grow(directory: Path, size: str) -> None:
    """Give the tmpfs on ``directory`` more room (as an operator adding disk space would)."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(directory)], check=True)
