"""Shared helpers for the local-node tests: free ports and fake Java homes."""

from __future__ import annotations

import shutil
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.localnode.java import REQUIRED_MODULES, VECTOR_MODULE

FULL_MODULES = " ".join(sorted({*REQUIRED_MODULES, VECTOR_MODULE, "java.base"}))

MakeJavaHome = Callable[..., Path]


def free_ports(count: int) -> list[int]:
    """Distinct TCP ports on 127.0.0.1 that nothing listens on right now."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def processes_mentioning(directory: Path) -> list[int]:
    """Pids whose command line names ``directory`` (the node's JVMs name its tmp folder)."""
    needle = str(directory).encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A fresh folder (mode 0755) under the system temp dir that any user can reach.

    pytest's own tmp_path sits below a mode-0700 folder, out of reach of the node user.
    """
    path = Path(tempfile.mkdtemp(prefix="kikimimi-localnode-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make_java_home(tmp_path: Path) -> MakeJavaHome:
    """Build a Java home whose ``bin/java -version`` prints ``version`` (a real script)."""

    def make(name: str, version: str, modules: str | None = FULL_MODULES) -> Path:
        home = tmp_path / name
        (home / "bin").mkdir(parents=True)
        java = home / "bin" / "java"
        java.write_text(
            f"#!/bin/sh\necho 'openjdk version \"{version}\" 2024-01-16' >&2\n",
            encoding="utf-8",
        )
        java.chmod(java.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        if modules is not None:
            (home / "release").write_text(
                f'JAVA_VERSION="{version}"\nMODULES="{modules}"\n', encoding="utf-8"
            )
        return home

    return make
